"""Pages of aid logistics, one module per part: needs, pledges, stock, deliveries, planning,
dashboards, imports. Each module lists its own ``urlpatterns``; aid/urls.py joins them."""
