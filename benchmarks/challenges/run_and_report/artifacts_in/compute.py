total = 0
for n in range(1, 8):
    total += n * n
print(f'The answer is {total}')
