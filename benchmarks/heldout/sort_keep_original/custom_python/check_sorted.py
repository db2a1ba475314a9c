from pathlib import Path

assert Path("team.txt").read_text() == 'Yusuf\nBeatriz\nKarin\nAlejandro\nMiriam\nDeepak\n', "team.txt was changed"
print("original untouched")
names = [line.strip() for line in Path("team_sorted.txt").read_text().splitlines() if line.strip()]
assert names == sorted('Yusuf\nBeatriz\nKarin\nAlejandro\nMiriam\nDeepak\n'.split()), f"team_sorted.txt holds {names}"
print("sorted ok")
