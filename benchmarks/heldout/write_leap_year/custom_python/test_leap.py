from leap import is_leap_year

for year, leap in [(2024, True), (2023, False), (1900, False), (2000, True), (1996, True), (2100, False)]:
    assert is_leap_year(year) is leap, (year, is_leap_year(year))
print("leap years ok")
