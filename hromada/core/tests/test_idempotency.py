import pytest
from django.core.exceptions import ValidationError

from hromada.core.idempotency import KeyReused, create_once
from hromada.core.models import IdempotencyKey, Organization
from hromada.core.tests.factories import make_user


def create_org(name="Штаб"):
    return lambda: Organization.objects.create(name=name, kind=Organization.Kind.NGO)


@pytest.mark.django_db
def test_the_same_key_twice_returns_the_first_object_and_creates_nothing():
    user = make_user()
    first, created = create_once(
        scope="t", key="key-0001", actor=user, model=Organization, create=create_org()
    )
    again, created_again = create_once(
        scope="t", key="key-0001", actor=user, model=Organization, create=create_org("Інший")
    )
    assert (created, created_again) == (True, False)
    assert again == first
    assert Organization.objects.count() == 1


@pytest.mark.django_db
def test_a_key_used_by_someone_else_is_refused_without_revealing_their_object():
    create_once(
        scope="t", key="key-0001", actor=make_user(), model=Organization, create=create_org()
    )
    with pytest.raises(KeyReused):
        create_once(
            scope="t", key="key-0001", actor=make_user(), model=Organization, create=create_org("Б")
        )
    assert Organization.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["short", "has space in it", "x" * 129, "ключ-кирилицею"])
def test_malformed_keys_are_refused_before_anything_is_created(key):
    with pytest.raises(ValidationError) as error:
        create_once(scope="t", key=key, actor=make_user(), model=Organization, create=create_org())
    assert "idempotency_key" in error.value.message_dict
    assert Organization.objects.count() == 0


@pytest.mark.django_db
def test_a_create_that_fails_leaves_neither_object_nor_key():
    def failing():
        Organization.objects.create(name="Напівзаписане", kind=Organization.Kind.NGO)
        raise ValidationError("no")

    with pytest.raises(ValidationError):
        create_once(
            scope="t", key="key-0002", actor=make_user(), model=Organization, create=failing
        )
    assert not Organization.objects.exists()
    assert not IdempotencyKey.objects.exists()


@pytest.mark.django_db
def test_without_a_key_every_call_creates():
    for name in ("А", "Б"):
        create_once(
            scope="t", key=None, actor=make_user(), model=Organization, create=create_org(name)
        )
    assert Organization.objects.count() == 2
