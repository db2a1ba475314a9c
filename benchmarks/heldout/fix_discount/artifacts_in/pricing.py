def apply_discount(price, percent):
    """price reduced by percent per cent, rounded to cents."""
    return round(price - percent, 2)
