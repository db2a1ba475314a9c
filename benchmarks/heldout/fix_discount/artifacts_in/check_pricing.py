from pricing import apply_discount

assert apply_discount(100, 20) == 80, apply_discount(100, 20)
assert apply_discount(50, 10) == 45, apply_discount(50, 10)
assert apply_discount(19.99, 0) == 19.99, apply_discount(19.99, 0)
assert apply_discount(80, 25) == 60, apply_discount(80, 25)
print("OK: discounts are right")
