"""The demo accounts' published secrets (no model imports: the browser tests and the
screenshot script read them from outside Django)."""

DEMO_PASSWORD = "hromada-demo"  # noqa: S105 -- printed for anyone trying the demo; never real data
# The authenticator key of every demo account that must give a second factor, published in
# the README so anyone can add it to an app (or run `hromada demo_code <name>`).
DEMO_TOTP_SECRET = "HROMADADEMOKEYFORTRYINGITOUTONLY"  # noqa: S105 -- public by design
DEMO_DEVICE_NAME = "demo"
