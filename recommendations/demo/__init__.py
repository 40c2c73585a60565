"""An invented, deterministic demo: a catalogue, viewers and their viewing histories.

For development and recommendation experiments (`manage.py seed_demo`). Every name is made
up from word lists, so nothing in the demo looks like, or can be mistaken for, a real film
or person; the same seed gives the same data on every machine.

- `vocabulary`: the word lists; `tastes`: the hidden taste groups viewers belong to;
  `draws`: seeded random streams.
- `catalogue`: titles, people, credits and episodes; `world`: the catalogue with accounts
  and profiles, and how much each taste group likes each title; `histories`: what each
  profile watched, rated, saved and refused. None of these touch the database.
- `load` writes a world, through the batched inserts of `writers`.
"""
