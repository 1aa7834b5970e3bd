"""Marking homework: answers files, the checker, answers templates and worksheet blanks.

Holds the reading of a student's answers file (`answers`), the marking with error carried
forward (`checker`), the blank answers file (`template`) and which quantities a blank worksheet
leaves for the student (`blanks`). It reads traces and may import `networks`, `record`,
`scenario`, `numbers` and the base modules, but not `analysis`.
"""
