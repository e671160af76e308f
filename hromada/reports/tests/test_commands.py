"""The management command that writes every area's figures."""

import io

import hxl
from django.core.management import call_command

from hromada.reports import metrics
from hromada.reports.tests.factories import make_claim


def test_export_figures_writes_every_areas_figures_as_hxl_and_is_safe_to_run_twice(
    community, sources, tmp_path
):
    a = community.analyst
    make_claim(a, "28", source=sources.town, area=community.town)
    make_claim(
        a, "102 killed, including 7 children", source=sources.ohchr, basis="verified_records"
    )
    target = tmp_path / "figures.csv"

    for _ in range(2):
        stderr = io.StringIO()
        call_command(
            "export_figures", cutoff="2022-02-28T23:00:00+02:00", output=str(target), stderr=stderr
        )

    assert stderr.getvalue().startswith("Wrote ") and "areas' figures" in stderr.getvalue()
    data = hxl.data(io.BytesIO(target.read_bytes()), hxl.InputOptions(allow_local=True))
    rows = list(data)
    tags = [c.display_tag for c in data.columns]
    killed = tags.index(metrics.get(metrics.KILLED).hxl)
    children = tags.index(metrics.get(metrics.CHILDREN_KILLED).hxl)
    by_area = {row.values[tags.index("#loc+code")]: row.values for row in rows}
    assert by_area["UA"][killed] == "102" and by_area["UA"][children] == "7"
    assert by_area[community.town.code][killed] == "28"
    assert community.village.code not in by_area  # no figure there: no row
