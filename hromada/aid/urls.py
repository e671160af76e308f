from hromada.aid.views import dashboard, deliveries, imports, needs, planning, pledges, stock

app_name = "aid"

urlpatterns = [
    *needs.urlpatterns,
    *pledges.urlpatterns,
    *stock.urlpatterns,
    *deliveries.urlpatterns,
    *planning.urlpatterns,
    *dashboard.urlpatterns,
    *imports.urlpatterns,
]
