-- Delete every route of table 100.
route.flush{table = 100}
