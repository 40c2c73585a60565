"""An invented, deterministic "demo world" for development and recommendation experiments.

`world_build(titles=..., users=..., seed=...)` returns plain frozen dataclasses: no database
access here (`catalog.demo_load` writes a world). Every name is made up from word lists, so
nothing in the demo looks like, or can be mistaken for, a real film or person.

Each viewer profile secretly belongs to a `TasteGroup`. `affinity()` says how much a group
likes a title and `profile_history()` turns that into what the profile watched (finished,
rewatched, abandoned, still watching), rated, put on My List and refused, so a recommender
trained on demo feedback has a real signal to find. Histories hold no dates, only seconds
before the moment of loading: generated the same way on every run, they always end "now".

Randomness comes from `random.Random` seeded with strings, which Python hashes with
SHA-512: the world is the same on every machine and under any PYTHONHASHSEED. Nothing
here iterates over a set for the same reason.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import math
import random
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property

from django.utils.text import slugify

from accounts.maturity import AGE_CHOICES, KIDS_MAX_AGE
from accounts.models import AvatarColor, Language
from catalog.maturity import MINIMUM_AGE, MaturityRating
from catalog.models import Credit, Tag, Title

FIRST_YEAR = 1960
LAST_YEAR = 2025
MAX_TITLES = 200_000
MAX_USERS = 100_000
MAX_PROFILES_PER_ACCOUNT = 4
EMAIL_DOMAIN = "demo.marquee.local"
SERIES_SHARE = 0.15
KIDS_PROFILE_SHARE = 0.28  # of the profiles after an account's first: ~15% of all profiles
MAX_PEOPLE = 30_000

# --------------------------------------------------------------------------------------
# Vocabulary. Genres and tags are fixed; everything else is combined from these lists.
# Kept compact by hand: one item per line would bury the code under word lists.
# --------------------------------------------------------------------------------------
# fmt: off

# Genre name → how often it is a title's main genre.
GENRE_PREVALENCE: dict[str, int] = {
    "Action": 8, "Adventure": 5, "Animation": 4, "Comedy": 14, "Crime": 6, "Documentary": 5,
    "Drama": 18, "Family": 3, "Fantasy": 4, "Horror": 6, "Mystery": 4, "Romance": 6,
    "Science Fiction": 5, "Thriller": 8, "War": 2, "Western": 2, "Musical": 2, "History": 2,
}

# Which genres a title with this main genre also tends to have, so that combinations look
# like a real catalogue's ("Crime, Thriller", never "Animation, War").
GENRE_COMPANIONS: dict[str, dict[str, int]] = {
    "Action": {"Adventure": 3, "Thriller": 3, "Science Fiction": 2, "Crime": 2, "War": 1,
               "Comedy": 1, "Fantasy": 1},
    "Adventure": {"Action": 3, "Fantasy": 2, "Family": 2, "Science Fiction": 1, "Comedy": 1,
                  "Western": 1, "History": 1},
    "Animation": {"Family": 4, "Comedy": 3, "Adventure": 3, "Fantasy": 2, "Musical": 1},
    "Comedy": {"Romance": 3, "Drama": 2, "Family": 2, "Crime": 1, "Action": 1, "Musical": 1,
               "Fantasy": 1},
    "Crime": {"Thriller": 4, "Drama": 3, "Mystery": 3, "Action": 1, "Comedy": 1},
    "Documentary": {"History": 3, "War": 1, "Musical": 1, "Crime": 1},
    "Drama": {"Romance": 3, "Crime": 2, "History": 2, "War": 1, "Comedy": 1, "Mystery": 1,
              "Family": 1},
    "Family": {"Comedy": 3, "Adventure": 3, "Animation": 2, "Fantasy": 2, "Musical": 1},
    "Fantasy": {"Adventure": 4, "Family": 2, "Action": 2, "Romance": 1, "Horror": 1,
                "Animation": 1},
    "Horror": {"Thriller": 3, "Mystery": 3, "Fantasy": 1, "Science Fiction": 1, "Comedy": 1},
    "Mystery": {"Thriller": 3, "Crime": 3, "Drama": 2, "Horror": 1},
    "Romance": {"Comedy": 3, "Drama": 3, "Musical": 1, "Fantasy": 1, "History": 1},
    "Science Fiction": {"Action": 3, "Adventure": 2, "Thriller": 2, "Mystery": 1, "Drama": 1,
                        "Horror": 1},
    "Thriller": {"Crime": 3, "Mystery": 3, "Action": 2, "Drama": 1, "Horror": 1,
                 "Science Fiction": 1},
    "War": {"Drama": 3, "History": 3, "Action": 2, "Adventure": 1},
    "Western": {"Adventure": 2, "Action": 2, "Drama": 2, "Comedy": 1, "Crime": 1},
    "Musical": {"Romance": 3, "Comedy": 2, "Drama": 2, "Family": 1, "Animation": 1},
    "History": {"Drama": 3, "War": 2, "Documentary": 1, "Romance": 1, "Adventure": 1},
}

MOODS = (
    "feel-good", "dark", "mind-bending", "slow-burn", "heartwarming", "tense", "witty",
    "bleak", "uplifting", "quirky", "nostalgic", "gritty", "whimsical", "melancholic", "epic",
    "romantic",
)
THEMES = (
    "time travel", "heist", "coming of age", "found family", "revenge", "small town",
    "space exploration", "courtroom", "road trip", "survival", "conspiracy", "haunted house",
    "first love", "underdog", "dystopia", "whodunit",
)

# Genre → tag weights: a horror title is likely "dark" and "tense", rarely "feel-good".
GENRE_TAGS: dict[str, dict[str, int]] = {
    "Action": {"tense": 3, "epic": 2, "gritty": 2, "revenge": 2, "heist": 1, "survival": 1,
               "conspiracy": 1, "underdog": 1},
    "Adventure": {"epic": 3, "uplifting": 2, "road trip": 2, "survival": 2, "found family": 1,
                  "whimsical": 1},
    "Animation": {"whimsical": 3, "heartwarming": 3, "feel-good": 2, "quirky": 2,
                  "found family": 2, "coming of age": 1},
    "Comedy": {"witty": 3, "feel-good": 3, "quirky": 3, "road trip": 1, "small town": 1,
               "first love": 1, "heist": 1},
    "Crime": {"gritty": 3, "dark": 2, "tense": 2, "heist": 2, "revenge": 2, "conspiracy": 1,
              "courtroom": 1, "whodunit": 1},
    "Documentary": {"uplifting": 1, "bleak": 1, "nostalgic": 1, "conspiracy": 1,
                    "underdog": 1, "slow-burn": 1},
    "Drama": {"slow-burn": 2, "melancholic": 2, "coming of age": 2, "bleak": 1,
              "heartwarming": 1, "small town": 1, "courtroom": 1, "found family": 1,
              "uplifting": 1},
    "Family": {"heartwarming": 3, "feel-good": 3, "uplifting": 2, "found family": 2,
               "coming of age": 1, "whimsical": 1, "underdog": 1},
    "Fantasy": {"whimsical": 3, "epic": 3, "mind-bending": 1, "found family": 1,
                "coming of age": 1, "dark": 1},
    "Horror": {"dark": 4, "tense": 3, "haunted house": 3, "bleak": 2, "survival": 2,
               "slow-burn": 1},
    "Mystery": {"whodunit": 4, "mind-bending": 2, "slow-burn": 2, "tense": 2, "conspiracy": 2,
                "small town": 1, "dark": 1},
    "Romance": {"romantic": 4, "first love": 3, "heartwarming": 2, "feel-good": 2,
                "melancholic": 1, "witty": 1, "small town": 1},
    "Science Fiction": {"mind-bending": 3, "space exploration": 3, "time travel": 3,
                        "dystopia": 3, "epic": 1, "tense": 1, "survival": 1},
    "Thriller": {"tense": 4, "conspiracy": 3, "dark": 2, "revenge": 2, "mind-bending": 1,
                 "slow-burn": 1, "gritty": 1},
    "War": {"bleak": 3, "epic": 2, "gritty": 2, "survival": 2, "melancholic": 1, "underdog": 1},
    "Western": {"gritty": 3, "revenge": 3, "epic": 2, "slow-burn": 1, "small town": 1,
                "nostalgic": 1},
    "Musical": {"uplifting": 3, "feel-good": 3, "nostalgic": 2, "romantic": 2, "whimsical": 1,
                "underdog": 1},
    "History": {"epic": 2, "nostalgic": 2, "slow-burn": 1, "melancholic": 1, "underdog": 1,
                "courtroom": 1, "conspiracy": 1},
}
# Every tag keeps a little weight, so an odd pairing ("quirky" horror) still happens.
BASE_TAG_WEIGHT = 0.15

DARK_GENRES = ("Horror", "Thriller", "Crime", "War")
LIGHT_GENRES = ("Animation", "Family", "Comedy", "Musical")

# (country, original language, weight, cities): cities name places in titles and synopses.
COUNTRIES: tuple[tuple[str, str, int, tuple[str, ...]], ...] = (
    ("US", "en", 38, ("New York", "Chicago", "New Orleans", "Los Angeles", "Detroit",
                      "Baltimore", "Santa Fe", "Memphis", "Seattle", "Boston", "Savannah")),
    ("GB", "en", 10, ("London", "Glasgow", "Manchester", "Brighton", "Liverpool", "Edinburgh",
                      "Cardiff", "Belfast")),
    ("CA", "en", 3, ("Toronto", "Vancouver", "Halifax", "Winnipeg")),
    ("AU", "en", 2, ("Sydney", "Melbourne", "Perth", "Adelaide")),
    ("IE", "en", 1, ("Dublin", "Galway", "Cork")),
    ("NG", "en", 1, ("Lagos", "Abuja", "Ibadan")),
    ("FR", "fr", 7, ("Paris", "Marseille", "Lyon", "Bordeaux", "Lille", "Nice", "Brest")),
    ("ES", "es", 4, ("Madrid", "Barcelona", "Seville", "Valencia", "Bilbao")),
    ("MX", "es", 3, ("Mexico City", "Oaxaca", "Guadalajara", "Veracruz")),
    ("AR", "es", 2, ("Buenos Aires", "Rosario", "Mendoza")),
    ("IT", "it", 4, ("Rome", "Naples", "Turin", "Palermo", "Venice", "Bologna")),
    ("DE", "de", 4, ("Berlin", "Hamburg", "Munich", "Leipzig", "Cologne")),
    ("JP", "ja", 5, ("Tokyo", "Osaka", "Kyoto", "Sapporo", "Nagasaki")),
    ("KR", "ko", 4, ("Seoul", "Busan", "Incheon", "Daegu")),
    ("IN", "hi", 4, ("Mumbai", "Delhi", "Kolkata", "Jaipur")),
    ("BR", "pt", 2, ("Rio de Janeiro", "São Paulo", "Salvador", "Recife")),
    ("PT", "pt", 1, ("Lisbon", "Porto", "Coimbra")),
    ("SE", "sv", 2, ("Stockholm", "Gothenburg", "Malmö")),
    ("NO", "no", 1, ("Oslo", "Bergen", "Stavanger")),
    ("DK", "da", 1, ("Copenhagen", "Aarhus", "Odense")),
    ("PL", "pl", 1, ("Warsaw", "Krakow", "Gdansk")),
    ("CN", "zh", 2, ("Shanghai", "Beijing", "Chongqing", "Harbin")),
    ("TR", "tr", 1, ("Istanbul", "Izmir", "Ankara")),
    ("IR", "fa", 1, ("Tehran", "Isfahan", "Shiraz")),
)

FIRST_NAMES = (
    "Ada", "Adrian", "Agnes", "Aiko", "Alba", "Alma", "Amara", "Anders", "Anouk", "Arlo",
    "Astrid", "Aurelio", "Beatrix", "Benedict", "Bianca", "Bruno", "Camille", "Casimir",
    "Cecile", "Clara", "Colm", "Cosima", "Dalia", "Dario", "Delphine", "Dorian", "Edith",
    "Elias", "Elio", "Elsa", "Emeka", "Esme", "Ezra", "Fabian", "Farida", "Felix", "Flora",
    "Frida", "Gideon", "Greta", "Gustavo", "Hana", "Hector", "Helena", "Hugo", "Ida", "Ilse",
    "Imogen", "Ines", "Ingrid", "Ivo", "Jasper", "Joaquin", "Jonas", "Josefine", "Jules",
    "Juno", "Kasimir", "Keiko", "Kenji", "Kofi", "Laila", "Lars", "Leona", "Leopold", "Lila",
    "Linus", "Lorenzo", "Lucia", "Ludo", "Magnus", "Maren", "Marguerite", "Mateo", "Matilda",
    "Maximilian", "Mei", "Mira", "Moritz", "Nadia", "Nico", "Nils", "Noor", "Octavia", "Odile",
    "Oren", "Otto", "Paloma", "Pascal", "Petra", "Philippa", "Quentin", "Rafael", "Ramona",
    "Reza", "Rosalind", "Rufus", "Ruth", "Sabine", "Samir", "Saoirse", "Selma", "Silas",
    "Simone", "Soren", "Stellan", "Sunniva", "Tamsin", "Tariq", "Thea", "Theo", "Tobias",
    "Ulla", "Valentin", "Vera", "Viggo", "Wilhelmina", "Xavier", "Yara", "Yusuf", "Zadie",
    "Zeno", "Zora", "Amos", "Beatriz", "Cyrus", "Dagny", "Emil", "Fenna", "Idris", "Koa",
    "Lior", "Marisol", "Neve", "Orla", "Priya", "Rhea", "Tomas", "Wren",
)
LAST_NAMES = (
    "Abernathy", "Achterberg", "Adeyemi", "Albescu", "Almeida", "Andersen", "Arkwright",
    "Ashdown", "Baptiste", "Barrowclough", "Bellweather", "Bergstrand", "Blackwood",
    "Bonnefoy", "Brannigan", "Castellanos", "Chamberlain", "Cordova", "Crane", "Dalgaard",
    "Delacroix", "Desmarais", "Drummond", "Eberhardt", "Ellingham", "Esposito", "Fairclough",
    "Falkenberg", "Fennimore", "Ferreira", "Fontaine", "Galloway", "Garnier", "Gatti",
    "Greenhalgh", "Grimaldi", "Halvorsen", "Hargreave", "Hashimoto", "Hawthorne", "Holloway",
    "Ibarra", "Ikeda", "Iverson", "Jablonski", "Jovanovic", "Kaminski", "Kavanagh", "Kessler",
    "Kowalczyk", "Lachance", "Lindqvist", "Lockhart", "Lombardi", "Lucero", "Maddox",
    "Marchetti", "Marlowe", "Matsuda", "Mbeki", "Mendoza", "Moreau", "Moreno", "Nakamura",
    "Navarro", "Nightingale", "Nkemelu", "Novak", "Oduya", "Okafor", "Olsen", "Ortega",
    "Pemberton", "Pellegrini", "Penhaligon", "Quigley", "Quintero", "Rademacher", "Ravensworth",
    "Reinholt", "Rinaldi", "Rocha", "Rosenthal", "Saavedra", "Sandoval", "Sato", "Schuyler",
    "Sinclair", "Solberg", "Sorensen", "Strand", "Sutherland", "Tanaka", "Tavares",
    "Thornbury", "Toussaint", "Trevelyan", "Underhill", "Vasquez", "Valcourt", "Vandermeer",
    "Vesely", "Voss", "Wainwright", "Wakefield", "Weatherby", "Westergaard", "Whitcombe",
    "Winterbourne", "Yamada", "Yilmaz", "Zamora", "Zeller", "Zielinski", "Ashby", "Carrow",
    "Duquesne", "Everly", "Fairweather", "Gallagher", "Hollister", "Kurosawa", "Laurent",
    "Mistry", "Okonkwo", "Prowse", "Quarrie", "Rasmussen", "Stroud", "Tiller", "Varga",
    "Whitlock",
)
KIDS_NAMES = (
    "Pip", "Milo", "Luna", "Tilly", "Finn", "Poppy", "Ollie", "Mabel", "Kit", "Rosie", "Teddy",
    "Bea", "Sunny", "Nell", "Alfie", "Coco",
)
MIDDLE_INITIALS = "ABCDEFGHJKLMNOPRSTVW"

ADJECTIVES = (
    "Glass", "Silver", "Quiet", "Distant", "Hidden", "Golden", "Crimson", "Paper", "Northern",
    "Silent", "Invisible", "Restless", "Borrowed", "Scarlet", "Velvet", "Electric", "Broken",
    "Burning", "Secret", "Wandering", "Forgotten", "Endless", "Lonely", "Copper", "Painted",
    "Fragile", "Iron", "Amber", "Wild", "Second", "Narrow", "Crooked", "Blue", "Falling",
    "Long", "Lost", "Midnight", "Winter", "Summer", "Autumn", "Last", "Southern", "Sleeping",
)
DARK_ADJECTIVES = (
    "Hollow", "Bleeding", "Drowned", "Black", "Cold", "Faceless", "Pale", "Buried",
    "Sleepless", "Cursed", "Withered", "Shattered", "Ashen", "Nameless",
)
LIGHT_ADJECTIVES = (
    "Lucky", "Sunny", "Little", "Merry", "Brave", "Tiny", "Wonderful", "Marvelous", "Curious",
    "Jolly", "Bright", "Magnificent", "Peculiar", "Dizzy",
)
NOUNS = (
    "Harbor", "Lighthouse", "Orchard", "Mirror", "Compass", "Garden", "Letter", "Engine",
    "River", "Bridge", "Tide", "Lantern", "Station", "Signal", "Horizon", "Kingdom", "Parade",
    "Archive", "Frontier", "Island", "Carnival", "Atlas", "Season", "Machine", "Promise",
    "Crown", "Voyage", "Orchestra", "Hotel", "Cathedral", "Meridian", "Satellite", "Fortress",
    "Shore", "Threshold", "Canyon", "Monsoon", "Ballad", "Labyrinth", "Republic",
    "Observatory", "Clockwork", "Ferry", "Greenhouse", "Telegram", "Avalanche",
)
DARK_NOUNS = (
    "Cellar", "Grave", "Wound", "Hunger", "Shadow", "Silence", "Swamp", "Asylum", "Ritual",
    "Debt", "Wolf", "Fog", "Crypt", "Undertow",
)
LIGHT_NOUNS = (
    "Picnic", "Treehouse", "Balloon", "Birthday", "Holiday", "Bakery", "Puppy", "Rocket",
    "Kite", "Lemonade", "Pancake", "Sandcastle", "Umbrella", "Snow Globe",
)
PLURALS = (
    "Cartographers", "Strangers", "Thieves", "Dreamers", "Sisters", "Brothers", "Neighbors",
    "Pilgrims", "Outlaws", "Swimmers", "Lovers", "Liars", "Witnesses", "Sleepwalkers",
    "Astronomers", "Beekeepers", "Orphans", "Mercenaries", "Gardeners", "Drifters",
    "Watchmakers", "Runaways", "Detectives", "Gamblers", "Daughters", "Ghosts", "Tenants",
)
ELEMENTS = (
    "Salt", "Thunder", "Smoke", "Honey", "Ash", "Rust", "Rain", "Bone", "Ink", "Ember",
    "Frost", "Gold", "Dust", "Wine",
)
COUNTS = ("Two", "Three", "Four", "Five", "Six", "Seven", "Nine", "Twelve", "Forty", "A Hundred")
SPANS = ("Winters", "Summers", "Nights", "Days", "Weeks", "Sundays", "Lives", "Letters", "Doors")
VERBS = ("Sleeps", "Burns", "Sings", "Breaks", "Falls", "Wakes", "Turns", "Returns", "Freezes",
         "Listens")
CODAS = ("Nocturne", "Blues", "Express", "Confidential", "Story", "Requiem", "Serenade",
         "Affair", "Diaries", "Connection")

OCCUPATIONS = (
    "a retired lighthouse keeper", "a disgraced surgeon", "a young cartographer",
    "a night-shift nurse", "a small-time forger", "a widowed baker", "an ambitious reporter",
    "a shy piano tuner", "a burned-out detective", "a teenage chess prodigy",
    "a former boxer", "a ship's cook", "a museum night guard", "a failing magician",
    "a court stenographer", "a village postmistress", "a rookie astronaut",
    "a reluctant heir", "a substitute teacher", "a wedding photographer",
    "a hotel concierge", "a taxi driver", "an out-of-work actor", "a marine biologist",
    "a rural vet", "a grieving architect", "a sharp-tongued lawyer", "a junior diplomat",
)
SETTINGS = (
    "in {city}", "in 1970s {city}", "in present-day {city}", "in the suburbs of {city}",
    "on the outskirts of {city}", "in a fading seaside town", "in a sleepy mountain village",
    "at a research station in Antarctica", "in 1950s {city}", "in {city}'s old harbor district",
)
ANIMALS = (
    "hedgehog", "fox", "otter", "penguin", "owl", "badger", "mouse", "tortoise", "rabbit",
    "dragon", "robot", "raccoon",
)

# Plot hooks by theme tag first, then by main genre: they are what makes a synopsis match
# the title's tags ("time travel" titles are about time travel).
THEME_HOOKS: dict[str, tuple[str, ...]] = {
    "time travel": ("discovers that an old wristwatch can rewind the last hour",
                    "wakes up twenty years in the past with a chance to undo one mistake"),
    "heist": ("is talked into one last job: emptying the vault of {city}'s oldest bank",
              "assembles a crew to steal a painting that officially does not exist"),
    "coming of age": ("spends one unforgettable summer working at the town's crumbling cinema",
                      "leaves home for the first time to study music in {city}"),
    "found family": ("takes in three runaways who have nowhere else to go",
                     "ends up sharing a flat with four strangers and a very old dog"),
    "revenge": ("returns home to settle a score with the people who left them for dead",
                "spends ten years planning the downfall of a corrupt shipping magnate"),
    "small town": ("inherits a failing hardware store in a town where everyone keeps secrets",
                   "becomes the only doctor in a town of four hundred people"),
    "space exploration": ("joins the first crew to land on a moon of Saturn",
                          "picks up a faint signal from a probe lost forty years ago"),
    "courtroom": ("takes on a hopeless case that the whole city has already decided",
                  "is called as the surprise witness in a trial that divides {city}"),
    "road trip": ("drives across the country with an estranged father and a borrowed van",
                  "sets off to scatter a grandmother's ashes in three different cities"),
    "survival": ("is stranded in the wilderness after a small plane goes down",
                 "is trapped in a flooded mine with two strangers and a failing lamp"),
    "conspiracy": ("uncovers a pattern of disappearances that someone powerful wants buried",
                   "finds a coded ledger hidden in the walls of a government archive"),
    "haunted house": ("moves into a rambling old house where the doors will not stay shut",
                      "agrees to spend one night in the most feared house in {city}"),
    "first love": ("falls for the one person they swore never to speak to again",
                   "meets a stranger on the last train out of {city} and misses every stop"),
    "underdog": ("coaches a hopeless amateur team toward an impossible championship",
                 "enters a national baking contest with nothing but a family recipe"),
    "dystopia": ("lives in a sealed city where memories are rationed",
                 "is chosen for a lottery that no one has ever come back from"),
    "whodunit": ("is the only guest who can solve a murder at a snowbound hotel",
                 "must find out which of seven heirs poisoned the family patriarch"),
}
# Documentaries have their own sentences (DOCUMENTARY_*), so they need no hook here.
GENRE_HOOKS: dict[str, tuple[str, ...]] = {
    "Action": ("must stop a hijacked train before it reaches {city}",
               "is the last person standing between a mercenary army and a dam"),
    "Adventure": ("sets out to find a lost city marked on a map nobody can read",
                  "sails a leaking boat around the world on a dare"),
    "Animation": ("dreams of flying and builds wings out of old umbrellas",
                  "must bring back the colours stolen from a cheerful little town"),
    "Comedy": ("accidentally becomes the face of a national advertising campaign",
               "pretends to be a famous chef for one very long weekend"),
    "Crime": ("gets entangled with a smuggling ring working out of {city}'s docks",
              "witnesses a robbery and decides to keep the money"),
    "Drama": ("returns home after ten years to care for a dying parent",
              "must choose between a dream job in {city} and the family business"),
    "Family": ("befriends a runaway circus elephant",
               "has one week to save the town's beloved ice rink"),
    "Fantasy": ("finds a door in the library that opens onto another world",
                "is mistaken for the chosen heir of a sleeping kingdom"),
    "Horror": ("hears a dead sister's voice on an old answering machine",
               "notices that the new neighbors never cast shadows"),
    "Mystery": ("receives a letter from a woman who died thirty years ago",
                "finds a stranger's name carved into every tree in the forest"),
    "Romance": ("rents a cottage for a month and falls for the landlord's grumpy brother",
                "keeps running into the same stranger at weddings across {city}"),
    "Science Fiction": ("builds a machine that can hear other people's thoughts",
                        "discovers that the neighbors are perfect copies of the originals"),
    "Thriller": ("witnesses something from the night train that no one believes",
                 "answers a wrong-number call and is pulled into a kidnapping"),
    "War": ("must lead a wounded platoon back through enemy lines",
            "smuggles letters across a divided city under occupation"),
    "Western": ("rides into a frontier town ruled by a ruthless cattle baron",
                "guards a gold shipment across three hundred miles of desert"),
    "Musical": ("dreams of taking a ragtag choir to the national finals",
                "writes one song a day to win back a lost love"),
    "History": ("becomes the unlikely confidant of a young queen",
                "smuggles a printing press into a city where books are banned"),
}
COMPLICATIONS: dict[str, tuple[str, ...]] = {
    "Action": ("Every exit is blocked, and the clock is running.",
               "The only ally left may be the one who planned it all."),
    "Adventure": ("The journey turns out to be longer, stranger and far more dangerous than "
                  "promised.", "A rival expedition is never more than a day behind."),
    "Animation": ("Along the way come a talkative crow, a nervous snail and a great deal of "
                  "trouble.", "Nobody in town believes it can be done, which only helps."),
    "Comedy": ("Things escalate quickly, and then they escalate again.",
               "The lies pile up faster than anyone can keep track of them."),
    "Crime": ("The police are closing in, and so is someone far worse.",
              "Loyalties crack when the money starts to disappear."),
    "Drama": ("Old wounds reopen, and nobody says what they really mean.",
              "The choice will cost someone they love, whatever they decide."),
    "Family": ("With a little help from friends, nothing is impossible.",
               "It will take the whole family, even the grumpy grandfather."),
    "Fantasy": ("Ancient rules bind every promise, and every promise has a price.",
                "The way home closes at the next full moon."),
    "Horror": ("The nights get longer, and something is counting them.",
               "Whatever lives there has been waiting a very long time."),
    "Mystery": ("Every answer opens two more questions.",
                "The truth is buried in a town that prefers to forget."),
    "Romance": ("Timing, family and a great deal of pride stand in the way.",
                "Neither will admit it, which makes everything worse."),
    "Science Fiction": ("The consequences ripple far beyond one life.",
                        "What begins as an experiment soon becomes an obsession."),
    "Thriller": ("Trust nobody, especially the people offering help.",
                 "The closer the truth gets, the more dangerous it becomes."),
    "War": ("Survival means trusting the enemy, if only for one night.",
            "Courage is measured in hours, and the hours are running out."),
    "Western": ("Justice in this town comes at the end of a rope or not at all.",
                "The desert keeps its own accounts."),
    "Musical": ("The songs get bigger as the stakes rise.",
                "Opening night is two weeks away and nothing is ready."),
    "History": ("History is written by the survivors, and not everyone will survive.",
                "One decision will echo for generations."),
}
MOOD_CLOSERS: dict[str, str] = {
    "feel-good": "A warm, funny crowd-pleaser about second chances.",
    "dark": "A dark and unsettling story about what people keep buried.",
    "mind-bending": "Nothing is quite what it seems, right up to the final scene.",
    "slow-burn": "A slow-burning story that rewards patience.",
    "heartwarming": "A tender, heartwarming tale about the families we choose.",
    "tense": "Tightly wound and relentlessly tense.",
    "witty": "Sharp, fast and very funny.",
    "bleak": "An unflinching look at the cost of survival.",
    "uplifting": "An uplifting story about ordinary people doing extraordinary things.",
    "quirky": "Offbeat, odd and entirely its own thing.",
    "nostalgic": "A bittersweet love letter to a world that is disappearing.",
    "gritty": "Raw, gritty and grounded.",
    "whimsical": "Whimsical, colourful and full of surprises.",
    "melancholic": "Quietly devastating.",
    "epic": "An epic on a grand scale.",
    "romantic": "A swooning romance for anyone who has ever missed a chance.",
}
DOCUMENTARY_SUBJECTS = (
    "the last ferry crew of a remote island", "a family of beekeepers in the hills above {city}",
    "the night-shift workers who keep {city} running", "a forgotten pioneer of early radio",
    "a small-town football club on the edge of bankruptcy", "three generations of glassblowers",
    "the volunteers rebuilding {city}'s flooded library", "an orchestra made up of strangers",
    "a chess club in a {city} prison", "the people who restore silent films",
)
DOCUMENTARY_ANGLES = (
    "Patient and observant, it lets its subjects speak for themselves.",
    "Archive footage and candid interviews trace decades of change.",
    "Filmed over five years, it is as funny as it is moving.",
    "It asks what a community owes to the people who hold it together.",
)
EPISODE_NAMES = (
    "Arrivals", "The Crossing", "Low Tide", "Old Debts", "Homecoming", "The Visitor",
    "Blind Spot", "First Light", "Fault Lines", "The Long Night", "Open Water", "Thaw",
    "Loose Ends", "Reckoning", "The Quiet Part", "Smoke Signals", "Vanishing Point",
    "Dead Reckoning", "The Inventory", "Undertow", "Second Chances", "Echoes", "The Offer",
    "Ghost Town", "Checkmate", "The Key", "Lights Out", "Sea Change", "Departures",
)
# Where a series' drawn name is taken already, the next free one of both lists is used
# instead: a series of five ten-episode seasons needs 50 names.
MORE_EPISODE_NAMES = (
    "Crossroads", "The Hollow", "Paper Trail", "Slow Burn", "Tideline", "The Witness",
    "Safe Harbour", "Cold Open", "Borrowed Time", "The Last Train", "Groundswell",
    "Kingdom Come", "The Understudy", "Night Shift", "Rough Water", "High Ground",
    "The Ledger", "Long Shadows", "Still Life", "Outside Chance", "The Bridge", "Blackout",
)
FILM_RUNTIMES: dict[str, int] = {
    "Animation": 88, "Family": 95, "Comedy": 98, "Horror": 95, "Documentary": 92,
    "History": 135, "War": 130, "Western": 115, "Action": 115, "Science Fiction": 118,
    "Fantasy": 120, "Musical": 118, "Drama": 112,
}
CHARACTER_FORMS = (
    "Detective {last}", "Dr. {last}", "Young {first}", "Captain {last}", "Mrs. {last}",
    "Father {last}", "Sister {first}", "Officer {last}",
)
PROFILE_LANGUAGES: dict[str, int] = {
    Language.ENGLISH: 65, Language.SPANISH: 10, Language.FRENCH: 8, Language.GERMAN: 6,
    Language.ITALIAN: 4, Language.PORTUGUESE: 4, Language.JAPANESE: 3,
}
EPISODE_HOOKS = (
    "finds an unexpected ally", "makes a costly mistake", "uncovers a secret about the past",
    "is forced to choose sides", "gets a visit from an old friend", "breaks a promise",
    "follows a lead out of town", "faces the consequences of last week's choice",
    "learns who has been lying", "risks everything on a long shot",
)


# --------------------------------------------------------------------------------------
# Taste groups: the hidden structure that demo feedback is generated from.
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TasteGroup:
    """A kind of viewer. Weights run from 0 to 1, preferences from -1 to +1."""

    name: str
    genres: tuple[tuple[str, float], ...]
    tags: tuple[tuple[str, float], ...]
    disliked_genres: tuple[str, ...] = ()
    series_preference: float = 0.0  # +1 watches series, -1 watches films
    recency_preference: float = 0.0  # +1 wants new releases, -1 prefers classics


TASTE_GROUPS: tuple[TasteGroup, ...] = (
    TasteGroup(
        name="thrill-seekers",
        genres=(("Action", 1.0), ("Thriller", 0.8), ("Adventure", 0.6),
                ("Science Fiction", 0.5), ("Crime", 0.4)),
        tags=(("tense", 1.0), ("heist", 0.8), ("epic", 0.6), ("revenge", 0.6),
              ("survival", 0.5)),
        disliked_genres=("Romance", "Musical", "Documentary"),
        series_preference=-0.4,
        recency_preference=0.6,
    ),
    TasteGroup(
        name="family-night",
        genres=(("Animation", 1.0), ("Family", 1.0), ("Comedy", 0.5), ("Adventure", 0.5),
                ("Fantasy", 0.5)),
        tags=(("heartwarming", 1.0), ("feel-good", 0.9), ("whimsical", 0.8),
              ("found family", 0.7), ("coming of age", 0.4)),
        disliked_genres=("Horror", "War", "Crime"),
        recency_preference=0.4,
    ),
    TasteGroup(
        name="arthouse",
        genres=(("Drama", 1.0), ("History", 0.5), ("Romance", 0.4), ("Documentary", 0.4)),
        tags=(("slow-burn", 1.0), ("melancholic", 0.9), ("bleak", 0.7), ("small town", 0.4),
              ("coming of age", 0.4)),
        disliked_genres=("Action", "Animation", "Family"),
        series_preference=-0.6,
        recency_preference=-0.5,
    ),
    TasteGroup(
        name="horror-hounds",
        genres=(("Horror", 1.0), ("Thriller", 0.6), ("Mystery", 0.5),
                ("Science Fiction", 0.3)),
        tags=(("dark", 1.0), ("haunted house", 0.9), ("tense", 0.7), ("survival", 0.5)),
        disliked_genres=("Family", "Musical", "Romance", "Animation"),
        recency_preference=0.2,
    ),
    TasteGroup(
        name="romantics",
        genres=(("Romance", 1.0), ("Comedy", 0.8), ("Musical", 0.5), ("Drama", 0.3)),
        tags=(("romantic", 1.0), ("first love", 0.9), ("feel-good", 0.7), ("witty", 0.6),
              ("small town", 0.4)),
        disliked_genres=("Horror", "War", "Western"),
        series_preference=0.2,
    ),
    TasteGroup(
        name="sci-fi-and-fantasy",
        genres=(("Science Fiction", 1.0), ("Fantasy", 0.9), ("Adventure", 0.4),
                ("Animation", 0.2)),
        tags=(("mind-bending", 1.0), ("time travel", 0.9), ("space exploration", 0.9),
              ("dystopia", 0.7), ("epic", 0.4)),
        disliked_genres=("Romance", "Western", "Documentary"),
        series_preference=0.4,
        recency_preference=0.3,
    ),
    TasteGroup(
        name="crime-bingers",
        genres=(("Crime", 1.0), ("Mystery", 0.9), ("Thriller", 0.5), ("Documentary", 0.4)),
        tags=(("whodunit", 1.0), ("conspiracy", 0.8), ("courtroom", 0.7), ("gritty", 0.5)),
        disliked_genres=("Animation", "Musical", "Fantasy"),
        series_preference=0.9,
        recency_preference=0.3,
    ),
    TasteGroup(
        name="classic-buffs",
        genres=(("Western", 1.0), ("War", 0.8), ("History", 0.8), ("Musical", 0.5),
                ("Drama", 0.3)),
        tags=(("epic", 1.0), ("nostalgic", 0.9), ("gritty", 0.5), ("underdog", 0.4)),
        disliked_genres=("Horror", "Animation", "Science Fiction"),
        series_preference=-0.7,
        recency_preference=-1.0,
    ),
)
# How common each taste is among adult viewers; children mostly share one.
ADULT_GROUP_WEIGHTS: dict[str, int] = {
    "thrill-seekers": 16, "family-night": 8, "arthouse": 10, "horror-hounds": 10,
    "romantics": 14, "sci-fi-and-fantasy": 14, "crime-bingers": 18, "classic-buffs": 10,
}
KIDS_GROUP_WEIGHTS: dict[str, int] = {"family-night": 3, "sci-fi-and-fantasy": 1}

# fmt: on
_GROUP_BY_NAME = {group.name: group for group in TASTE_GROUPS}


# --------------------------------------------------------------------------------------
# The world.
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GenreSpec:
    name: str
    slug: str


@dataclass(frozen=True, slots=True)
class TagSpec:
    name: str
    slug: str
    kind: str


@dataclass(frozen=True, slots=True)
class PersonSpec:
    name: str
    slug: str
    birth_year: int


@dataclass(frozen=True, slots=True)
class CreditSpec:
    person: int  # index into DemoWorld.people
    role: str
    character: str
    billing_order: int


@dataclass(frozen=True, slots=True)
class EpisodeSpec:
    number: int
    name: str
    synopsis: str
    runtime_minutes: int


@dataclass(frozen=True, slots=True)
class SeasonSpec:
    number: int
    year: int
    episodes: tuple[EpisodeSpec, ...]


@dataclass(frozen=True, slots=True)
class TitleSpec:
    kind: str
    name: str
    slug: str
    synopsis: str
    year: int
    release_date: date
    runtime_minutes: int
    maturity_rating: str
    original_language: str
    country: str
    genres: tuple[str, ...]  # genre names
    tags: tuple[str, ...]  # tag names
    credits: tuple[CreditSpec, ...]
    seasons: tuple[SeasonSpec, ...]
    # Spreads "recently added" over two years instead of one instant.
    added_days_ago: int
    # How good the title is, shared by every taste group: roughly -1 to 1.
    quality: float


@dataclass(frozen=True, slots=True)
class ProfileSpec:
    name: str
    avatar_color: str
    language: str
    is_kids: bool
    max_maturity_age: int
    group: TasteGroup


@dataclass(frozen=True, slots=True)
class AccountSpec:
    name: str
    email: str
    profiles: tuple[ProfileSpec, ...]


@dataclass(frozen=True)
class DemoWorld:
    seed: int
    genres: tuple[GenreSpec, ...]
    tags: tuple[TagSpec, ...]
    people: tuple[PersonSpec, ...]
    titles: tuple[TitleSpec, ...]
    accounts: tuple[AccountSpec, ...]

    @cached_property
    def profiles(self) -> tuple[ProfileSpec, ...]:
        """Every profile, account by account: a profile's index is its position here."""
        return tuple(profile for account in self.accounts for profile in account.profiles)

    @cached_property
    def profile_groups(self) -> tuple[TasteGroup, ...]:
        return tuple(profile.group for profile in self.profiles)

    @cached_property
    def _affinity_cache(self) -> dict[TasteGroup, tuple[float, ...]]:
        return {}

    @cached_property
    def _pool_cache(self) -> dict[tuple[str, int], _Pool]:
        return {}

    def affinities(self, group: TasteGroup) -> tuple[float, ...]:
        """`affinity()` of every title for `group`, computed once per group."""
        if group not in self._affinity_cache:
            self._affinity_cache[group] = tuple(
                affinity(self, index, group) for index in range(len(self.titles))
            )
        return self._affinity_cache[group]


def world_build(*, titles: int, users: int, seed: int) -> DemoWorld:
    """The demo world for `seed`: the same arguments always give an equal world.

    Titles, people and accounts draw from separate random streams, so changing `users`
    leaves the catalogue as it was.
    """
    if titles < 1:
        raise ValueError("titles must be at least 1.")
    if users < 0 or seed < 0:
        raise ValueError("users and seed must be 0 or more.")
    people, crew, cast = _people_build(_rng(seed, "people"), titles=titles)
    return DemoWorld(
        seed=seed,
        genres=tuple(GenreSpec(name=name, slug=slugify(name)) for name in GENRE_PREVALENCE),
        tags=tuple(
            [TagSpec(name=name, slug=slugify(name), kind=Tag.Kind.MOOD) for name in MOODS]
            + [TagSpec(name=name, slug=slugify(name), kind=Tag.Kind.THEME) for name in THEMES]
        ),
        people=people,
        titles=_titles_build(
            _rng(seed, "titles"), count=titles, people=people, crew=crew, cast=cast
        ),
        accounts=_accounts_build(_rng(seed, "accounts"), count=users),
    )


def affinity(world: DemoWorld, title_index: int, group: TasteGroup) -> float:
    """How much viewers in `group` like a title: 0 (not at all) to 1 (a favourite).

    Genre and tag weights carry most of the score. The group's taste for series and for
    recent titles, the title's shared quality, and a small noise fixed per (title, group)
    do the rest, so titles with the same genres still rank differently.
    """
    title = world.titles[title_index]
    genre_weights = dict(group.genres)
    tag_weights = dict(group.tags)
    score = 0.12
    score += 0.5 * _blend([genre_weights.get(name, 0.0) for name in title.genres])
    score += 0.25 * _blend([tag_weights.get(name, 0.0) for name in title.tags])
    if any(name in group.disliked_genres for name in title.genres):
        score -= 0.35
    score += 0.08 * group.series_preference * (1 if title.kind == Title.Kind.SERIES else -1)
    recency = 2 * (title.year - FIRST_YEAR) / (LAST_YEAR - FIRST_YEAR) - 1
    score += 0.1 * group.recency_preference * recency
    score += 0.08 * title.quality
    score += 0.12 * (_pair_noise(world.seed, title_index, group.name) - 0.5)
    return min(1.0, max(0.0, score))


# --------------------------------------------------------------------------------------
# Viewing histories: what each profile watched, rated, saved for later and refused.
# --------------------------------------------------------------------------------------

DAY = 86_400
HOUR = 3_600
FINISHED = "finished"
ABANDONED = "abandoned"
IN_PROGRESS = "in progress"
# Clear of the site's own "abandoned" rule (below 25 %, quiet for 14 days: the settings
# MARQUEE_ABANDONED_*), so demo viewings stay abandoned if someone nudges those a little.
ABANDONED_BELOW = 0.22
ABANDONED_QUIET_DAYS = 16
# "Continue watching" rows: played within the last few days, 30–80 % through.
RECENT_DAYS = 6
IN_PROGRESS_LOW, IN_PROGRESS_HIGH = 0.31, 0.79
# Titles added in the last three weeks are nobody's history yet: they stay fresh for the
# recommender, and every watched title is old enough to have been abandoned on, or binged.
NEW_TITLE_DAYS = 20
# The player counts a viewing as finished from here (MARQUEE_COMPLETED_AT is 0.9).
FINISHED_FROM = 0.93


@dataclass(frozen=True, slots=True)
class HistorySize:
    """How much a profile does; the draws can fall short on a small catalogue."""

    viewings: int
    in_progress: int
    rated_elsewhere: int
    my_list: int
    not_interested: int


# The demo household that `accounts.services.demo_accounts_ensure` creates (demo sign-in):
# three profiles with clearly different tastes, so switching profile changes the home page.
# Crime-bingers watch series, which fills episode rows and "continue watching".
DEMO_HOUSEHOLD: dict[str, tuple[str, HistorySize]] = {
    "Ana": ("crime-bingers", HistorySize(70, 3, 12, 6, 3)),
    "Ben": ("sci-fi-and-fantasy", HistorySize(55, 3, 8, 5, 3)),
    "Kids": ("family-night", HistorySize(40, 2, 0, 4, 2)),
}


@dataclass(frozen=True, slots=True)
class ProgressSpec:
    """One WatchProgress row, filled as the player's heartbeats would have filled it.

    Times are whole seconds before the moment of loading (`*_ago`), so that a history
    generated once always ends "now" when it is written.
    """

    # The episode's position in its series, season by season from 0; None for the row of
    # a film or the title-level row of a series.
    episode: int | None
    runtime_seconds: int
    last_position: int
    furthest_position: int
    seconds_watched: int
    percent: float
    started_ago: int
    last_watched_ago: int
    last_event_kind: str  # a WatchEvent.Kind value
    times_completed: int
    completed_ago: int | None
    current_episode: int | None = None  # series title-level row: the episode to resume

    @property
    def completed(self) -> bool:
        return self.times_completed > 0


@dataclass(frozen=True, slots=True)
class Viewing:
    """A title a profile started: its rows, the title-level one first."""

    title_index: int
    outcome: str  # FINISHED, ABANDONED or IN_PROGRESS
    progress: tuple[ProgressSpec, ...]

    @property
    def times_completed(self) -> int:
        return self.progress[0].times_completed


@dataclass(frozen=True, slots=True)
class RatingSpec:
    title_index: int
    stars: Decimal  # 0.5–5 in half steps, mostly whole stars
    rated_ago: int
    source: str  # a recommendations Source value: "site" or "import"
    watched: bool  # False: seen elsewhere, rated here or imported


@dataclass(frozen=True, slots=True)
class MarkSpec:
    """A My List entry or a "not interested"."""

    title_index: int
    ago: int


@dataclass(frozen=True, slots=True)
class ProfileHistory:
    viewings: tuple[Viewing, ...]  # oldest first
    ratings: tuple[RatingSpec, ...]
    my_list: tuple[MarkSpec, ...]
    not_interested: tuple[MarkSpec, ...]


def profile_history(world: DemoWorld, profile_index: int) -> ProfileHistory:
    """What a profile of the world watched, rated, saved and refused, from its taste group."""
    profile = world.profiles[profile_index]
    return history_build(
        world,
        group=profile.group,
        max_maturity_age=profile.max_maturity_age,
        stream=f"history:{profile_index}",
    )


def profile_viewings(world: DemoWorld, profile_index: int) -> tuple[Viewing, ...]:
    """The titles a profile of the world started, oldest first."""
    return profile_history(world, profile_index).viewings


def household_history(world: DemoWorld, *, name: str, max_maturity_age: int) -> ProfileHistory:
    """The history of a demo household profile (`DEMO_HOUSEHOLD`), within its age limit."""
    group_name, size = DEMO_HOUSEHOLD[name]
    return history_build(
        world,
        group=_GROUP_BY_NAME[group_name],
        max_maturity_age=max_maturity_age,
        stream=f"household:{name}",
        size=size,
    )


def title_added_ago(world: DemoWorld, title_index: int) -> int:
    """Seconds between a title's `added_at` and the moment of loading.

    The index breaks ties, so "recently added" has a stable order; `demo_load` writes
    `added_at` from this, and no viewing of the title starts before it.
    """
    return world.titles[title_index].added_days_ago * DAY + title_index


def episode_runtimes(title: TitleSpec) -> list[int]:
    """Seconds of each episode of a series, in watching order (a film: its runtime)."""
    if not title.seasons:
        return [title.runtime_minutes * 60]
    return [e.runtime_minutes * 60 for season in title.seasons for e in season.episodes]


def history_build(
    world: DemoWorld,
    *,
    group: TasteGroup,
    max_maturity_age: int,
    stream: str,
    size: HistorySize | None = None,
) -> ProfileHistory:
    """A viewer's history drawn from `group`'s affinities: the same arguments, the same result.

    Titles are drawn without replacement with a weight that grows steeply with affinity,
    among those the age limit allows. Low-affinity titles are more often abandoned and
    high-affinity ones rewatched; about 60 % of finished titles are rated, with stars
    following affinity plus noise; My List gets favourites not yet watched, "not
    interested" gets titles far from the group's taste.
    """
    rng = _rng(world.seed, stream)
    pool = _pool(world, group, max_maturity_age)
    if size is None:
        size = _history_size(rng)
    scores = world.affinities(group)
    taken: set[int] = set()
    watched = _draw(rng, pool.indices, pool.watch, size.viewings + size.rated_elsewhere, taken)
    # The draw order leans towards favourites: shuffle before splitting, so titles rated
    # without watching are as well liked as those watched here.
    rng.shuffle(watched)
    elsewhere = watched[size.viewings :]
    watched = watched[: size.viewings]
    wished = _draw(rng, pool.indices, pool.wish, size.my_list, taken)
    refused = _draw(rng, pool.indices, pool.refuse, size.not_interested, taken)
    # When the profile started using the site: histories spread over the last two years.
    joined_ago = rng.randint(60 * DAY, 730 * DAY)

    viewings: list[Viewing] = []
    ratings: list[RatingSpec] = []
    for position, index in enumerate(watched):
        score = scores[index]
        if position < size.in_progress:
            outcome = IN_PROGRESS
        elif rng.random() < 0.04 + 0.5 * (1 - score) ** 3:
            outcome = ABANDONED
        else:
            outcome = FINISHED
        runs = 1
        if outcome == FINISHED and rng.random() < (0.02 + 0.3 * score**3) * (
            0.5 if world.titles[index].seasons else 1
        ):
            runs = rng.choices((2, 3), weights=(3, 1))[0]
        oldest = min(joined_ago, title_added_ago(world, index)) - HOUR
        viewing = _viewing_build(
            rng, world.titles[index], index=index, outcome=outcome, runs=runs, oldest=oldest
        )
        viewings.append(viewing)
        rate_chance = 0.5 + 0.25 * abs(2 * score - 1) + (0.1 if runs > 1 else 0.0)
        if outcome == FINISHED and rng.random() < rate_chance:
            last = viewing.progress[0].last_watched_ago
            ratings.append(
                RatingSpec(
                    title_index=index,
                    stars=_stars(rng, score, bonus=0.3 if runs > 1 else 0.0),
                    rated_ago=max(0, last - rng.randint(30, 4 * HOUR)),
                    source="site",
                    watched=True,
                )
            )
    # Some viewers bring ratings from elsewhere in one sitting when they join; others rate
    # titles they saw elsewhere as they come across them.
    imported = rng.random() < 0.5
    for index in elsewhere:
        latest = min(joined_ago, title_added_ago(world, index))
        rated_ago = latest - rng.randint(0, 15 * 60) if imported else rng.randint(0, latest)
        ratings.append(
            RatingSpec(
                title_index=index,
                stars=_stars(rng, scores[index]),
                rated_ago=max(0, rated_ago),
                source="import" if imported else "site",
                watched=False,
            )
        )
    viewings.sort(key=lambda viewing: (-viewing.progress[0].started_ago, viewing.title_index))
    return ProfileHistory(
        viewings=tuple(viewings),
        ratings=tuple(ratings),
        my_list=tuple(_marks(rng, world, wished, joined_ago=joined_ago)),
        not_interested=tuple(_marks(rng, world, refused, joined_ago=joined_ago)),
    )


@dataclass(frozen=True, slots=True)
class _Pool:
    """The titles a (group, age limit) may see, with cumulative weights for three draws."""

    indices: list[int]
    watch: list[float]
    wish: list[float]
    refuse: list[float]


def _pool(world: DemoWorld, group: TasteGroup, max_maturity_age: int) -> _Pool:
    # Shared by every profile of a group and age: building it is the only pass over the
    # catalogue, so a profile's history costs O(titles drawn), not O(catalogue).
    key = (group.name, max_maturity_age)
    if key not in world._pool_cache:
        scores = world.affinities(group)
        indices = [
            index
            for index, title in enumerate(world.titles)
            if MINIMUM_AGE[title.maturity_rating] <= max_maturity_age
        ]
        # The floors let viewers stray outside their taste now and then.
        watch = [
            scores[i] ** 4 + 0.002 if world.titles[i].added_days_ago >= NEW_TITLE_DAYS else 0.0
            for i in indices
        ]
        wish = [scores[i] ** 8 + 0.0001 for i in indices]
        refuse = [(1 - scores[i]) ** 6 + 0.0001 for i in indices]
        world._pool_cache[key] = _Pool(
            indices=indices,
            watch=list(itertools.accumulate(watch)),
            wish=list(itertools.accumulate(wish)),
            refuse=list(itertools.accumulate(refuse)),
        )
    return world._pool_cache[key]


def _draw(
    rng: random.Random, indices: list[int], cumulative: list[float], count: int, taken: set[int]
) -> list[int]:
    """Up to `count` titles not in `taken`, by weight without replacement; adds them to it.

    Drawing with replacement and skipping repeats is exactly sequential weighted sampling
    without replacement, at O(log n) a draw; a pass over the pool finishes the job when
    repeats pile up (a small catalogue, or most of the weight already taken).
    """
    picked: list[int] = []
    if count <= 0 or not indices or cumulative[-1] <= 0:
        return picked
    for _round in range(6):
        for index in rng.choices(indices, cum_weights=cumulative, k=2 * (count - len(picked))):
            if index not in taken:
                taken.add(index)
                picked.append(index)
                if len(picked) == count:
                    return picked
    # Efraimidis–Spirakis over what is left: the largest log(u)/w keys.
    keys = []
    previous = 0.0
    for index, total in zip(indices, cumulative, strict=True):
        weight, previous = total - previous, total
        if weight > 0 and index not in taken:
            keys.append((math.log(1.0 - rng.random()) / weight, index))
    for _key, index in heapq.nlargest(count - len(picked), keys):
        taken.add(index)
        picked.append(index)
    return picked


def _history_size(rng: random.Random) -> HistorySize:
    # Some viewers watch a handful of titles, a few watch hundreds.
    viewings = max(3, round(rng.lognormvariate(math.log(40), 0.7)))
    return HistorySize(
        viewings=viewings,
        in_progress=rng.choices(range(5), weights=(15, 30, 25, 18, 12))[0],
        rated_elsewhere=round(viewings * rng.choice((0, 0, 0.1, 0.2, 0.4))),
        my_list=rng.choices(range(7), weights=(15, 15, 20, 20, 15, 10, 5))[0],
        not_interested=rng.choices(range(5), weights=(30, 25, 20, 15, 10))[0],
    )


def _stars(rng: random.Random, score: float, *, bonus: float = 0.0) -> Decimal:
    raw = 0.6 + 4.4 * score + bonus + rng.gauss(0, 0.6)
    if rng.random() < 0.7:  # most people rate in whole stars
        halves = 2 * min(5, max(1, round(raw)))
    else:
        halves = min(10, max(1, round(2 * raw)))
    return Decimal(halves) / 2


def _marks(
    rng: random.Random, world: DemoWorld, indices: list[int], *, joined_ago: int
) -> list[MarkSpec]:
    return [
        MarkSpec(
            title_index=index,
            ago=rng.randint(0, max(0, min(joined_ago, title_added_ago(world, index)) - 60)),
        )
        for index in indices
    ]


def _viewing_build(
    rng: random.Random, title: TitleSpec, *, index: int, outcome: str, runs: int, oldest: int
) -> Viewing:
    """The rows of one viewing whose first session starts at most `oldest` seconds ago."""
    runtimes = episode_runtimes(title)
    # How far each session got: whole episodes up to the last one watched.
    if outcome == FINISHED:
        reached = [int(runtime * rng.uniform(FINISHED_FROM, 1.0)) for runtime in runtimes]
    elif outcome == IN_PROGRESS:
        current = rng.randrange(len(runtimes))
        reached = [int(runtime * rng.uniform(FINISHED_FROM, 1.0)) for runtime in runtimes[:current]]
        reached.append(int(runtimes[current] * rng.uniform(IN_PROGRESS_LOW, IN_PROGRESS_HIGH)))
    else:
        # Stopped early: whole episodes, then part of one, below a fifth of the series.
        target = int(sum(runtimes) * rng.uniform(0.03, ABANDONED_BELOW - 0.02))
        reached = []
        for runtime in runtimes:
            if sum(reached) + runtime > target:
                reached.append(max(120, min(target - sum(reached), int(runtime * 0.85))))
                break
            reached.append(int(runtime * rng.uniform(FINISHED_FROM, 1.0)))
    # Wall-clock length of each session: pauses stretch it a little.
    lengths = [int(seconds * rng.uniform(1.0, 1.15)) + 1 for seconds in reached]
    if outcome == IN_PROGRESS:
        newest, latest_end = 600, RECENT_DAYS * DAY
    elif outcome == ABANDONED:
        newest, latest_end = ABANDONED_QUIET_DAYS * DAY, oldest
    else:
        newest, latest_end = 300, oldest
    # A rewatch is a new run through the whole title, each in its own stretch of time.
    stretch = (oldest - newest) // runs
    starts = [
        _sessions_place(
            rng,
            lengths,
            newest=max(newest, oldest - (run + 1) * stretch),
            latest_end=min(latest_end, oldest - run * stretch),
            oldest=oldest - run * stretch,
        )
        for run in range(runs)
    ]
    rows = []
    for episode, (runtime, seconds) in enumerate(zip(runtimes, reached, strict=False)):
        # Every session but the last got to the end; the last did if the viewing did.
        done = episode < len(reached) - 1 or outcome == FINISHED
        last_ago = starts[-1][episode] - lengths[episode]
        rows.append(
            ProgressSpec(
                episode=episode if title.seasons else None,
                runtime_seconds=runtime,
                last_position=seconds,
                furthest_position=seconds,
                # Rewinds add a little, skipped recaps take a little away.
                seconds_watched=max(
                    1, int(seconds * (runs if done else 1) * rng.uniform(0.98, 1.03))
                ),
                percent=round(min(100.0, 100 * seconds / runtime), 2),
                started_ago=starts[0][episode],
                last_watched_ago=last_ago,
                last_event_kind="stop" if done or outcome == ABANDONED else "pause",
                times_completed=runs if done else 0,
                completed_ago=last_ago if done else None,
            )
        )
    if not title.seasons:
        return Viewing(title_index=index, outcome=outcome, progress=tuple(rows))
    return Viewing(
        title_index=index,
        outcome=outcome,
        progress=(
            _series_row(
                rows, runtime=max(60, sum(runtimes)), runs=runs, finished=outcome == FINISHED
            ),
            *rows,
        ),
    )


def _series_row(
    episodes: list[ProgressSpec], *, runtime: int, runs: int, finished: bool
) -> ProgressSpec:
    """The title-level row of a series, as `recommendations.services` keeps it in step.

    `runtime` is the whole series', every episode included.
    """
    last = episodes[-1]
    seconds = sum(row.seconds_watched for row in episodes)
    # How far into the series the resume point lies: the episodes before the last one
    # watched (each past its end credits), and the position in that one.
    reached = sum(row.runtime_seconds for row in episodes[:-1]) + last.last_position
    return ProgressSpec(
        episode=None,
        runtime_seconds=runtime,
        last_position=last.last_position,
        # The player moves a series' furthest position only when its final episode ends.
        furthest_position=runtime if finished else 0,
        seconds_watched=seconds,
        percent=100.0 if finished else round(min(100.0, 100 * reached / runtime), 2),
        started_ago=episodes[0].started_ago,
        last_watched_ago=last.last_watched_ago,
        last_event_kind=last.last_event_kind,
        times_completed=runs if finished else 0,
        completed_ago=last.completed_ago if finished else None,
        current_episode=last.episode,
    )


def _sessions_place(
    rng: random.Random, lengths: list[int], *, newest: int, latest_end: int, oldest: int
) -> list[int]:
    """Start times (seconds ago) of consecutive sessions lasting `lengths` seconds.

    The last session ends between `newest` and `latest_end` seconds ago and the first
    starts at most `oldest` seconds ago; between sessions pass a few hours to a day or so,
    less when the window is tight.
    """
    total = sum(lengths)
    end = rng.randint(newest, max(newest, min(latest_end, oldest - total)))
    gaps = [rng.random() for _ in lengths[1:]]
    idle = min(int(len(gaps) * rng.uniform(0.1, 1.2) * DAY), max(0, oldest - total - end))
    spread = sum(gaps) or 1.0
    start = end + total + idle
    starts = []
    for length, gap in zip(lengths, [*gaps, 0.0], strict=True):
        starts.append(start)
        start -= length + int(idle * gap / spread)
    return starts


# --------------------------------------------------------------------------------------
# Generation helpers.
# --------------------------------------------------------------------------------------


def _rng(seed: int, stream: str) -> random.Random:
    return random.Random(f"marquee-demo/{seed}/{stream}")


def _pair_noise(seed: int, title_index: int, group_name: str) -> float:
    # A hash rather than an RNG: any (title, group) pair is scored alone, in O(1).
    return zlib.crc32(f"{seed}/{title_index}/{group_name}".encode()) / 2**32


def _blend(values: Sequence[float]) -> float:
    # The best match dominates: a horror-comedy is still horror to a horror fan.
    return 0.6 * max(values) + 0.4 * sum(values) / len(values)


def _weighted(rng: random.Random, weights: Mapping[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _weighted_distinct(rng: random.Random, weights: Mapping[str, float], count: int) -> list[str]:
    remaining = dict(weights)
    chosen: list[str] = []
    while remaining and len(chosen) < count:
        pick = _weighted(rng, remaining)
        chosen.append(pick)
        del remaining[pick]
    return chosen


def _year(rng: random.Random) -> int:
    # Skewed towards recent years, as streaming catalogues are.
    return LAST_YEAR - int((LAST_YEAR - FIRST_YEAR + 1) * rng.random() ** 1.7)


def _unique_slug(slug: str, taken: set[str], *, year: int | None = None) -> str:
    if slug not in taken:
        return slug
    if year is not None and f"{slug}-{year}" not in taken:
        return f"{slug}-{year}"
    base = f"{slug}-{year}" if year is not None else slug
    counter = 2
    while f"{base}-{counter}" in taken:
        counter += 1
    return f"{base}-{counter}"


def _people_build(
    rng: random.Random, *, titles: int
) -> tuple[tuple[PersonSpec, ...], list[int], list[int]]:
    """The pool of people, and its crew and cast as index lists sorted by birth year."""
    count = min(max(titles * 3 // 2, 60), MAX_PEOPLE)
    crew_count = max(12, count * 18 // 100)
    used_names: set[str] = set()
    used_slugs: set[str] = set()
    people: list[PersonSpec] = []
    for index in range(count):
        is_crew = index < crew_count
        name = ""
        for _attempt in range(5):
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            if name not in used_names:
                break
        else:
            first, last = name.split(" ", 1)
            name = f"{first} {rng.choice(MIDDLE_INITIALS)}. {last}"
        used_names.add(name)
        slug = _unique_slug(slugify(name), used_slugs)
        used_slugs.add(slug)
        # Birth years follow the release years, so every era has people of working age.
        age = rng.randint(28, 62) if is_crew else rng.randint(9, 66)
        people.append(PersonSpec(name=name, slug=slug, birth_year=_year(rng) - age))
    by_birth = sorted(range(count), key=lambda i: (people[i].birth_year, i))
    crew = [i for i in by_birth if i < crew_count]
    cast = [i for i in by_birth if i >= crew_count]
    return tuple(people), crew, cast


def _pick_people(
    rng: random.Random,
    pool: list[int],
    births: list[int],
    *,
    year: int,
    youngest: int,
    oldest: int,
    count: int,
) -> list[int]:
    """`count` distinct people from `pool` aged `youngest`–`oldest` in `year` if possible."""
    low = bisect.bisect_left(births, year - oldest)
    high = bisect.bisect_right(births, year - youngest)
    if high - low < count * 3:
        low, high = 0, len(pool)
    return [pool[i] for i in rng.sample(range(low, high), count)]


def _credits_build(
    rng: random.Random,
    *,
    kind: str,
    year: int,
    genres: list[str],
    crew: list[int],
    crew_births: list[int],
    cast: list[int],
    cast_births: list[int],
) -> tuple[CreditSpec, ...]:
    credits: list[CreditSpec] = []
    lead_role = Credit.Role.CREATOR if kind == Title.Kind.SERIES else Credit.Role.DIRECTOR
    lead_count = rng.choice((1, 1, 2)) if kind == Title.Kind.SERIES else 1
    leads = _pick_people(
        rng, crew, crew_births, year=year, youngest=25, oldest=75, count=lead_count
    )
    credits += [
        CreditSpec(person=person, role=lead_role, character="", billing_order=order)
        for order, person in enumerate(leads, start=1)
    ]
    writers = _pick_people(
        rng, crew, crew_births, year=year, youngest=22, oldest=80, count=rng.randint(1, 2)
    )
    if rng.random() < 0.3 and leads[0] not in writers:
        # A writer-director (or writer-creator): same person, another role.
        writers[0] = leads[0]
    credits += [
        CreditSpec(person=person, role=Credit.Role.WRITER, character="", billing_order=order)
        for order, person in enumerate(writers, start=1)
    ]
    actors = _pick_people(
        rng, cast, cast_births, year=year, youngest=8, oldest=82, count=rng.randint(4, 8)
    )
    credits += [
        CreditSpec(
            person=person,
            role=Credit.Role.ACTOR,
            character=_character(rng, genres),
            billing_order=order,
        )
        for order, person in enumerate(actors, start=1)
    ]
    return tuple(credits)


def _character(rng: random.Random, genres: list[str]) -> str:
    if "Documentary" in genres:
        return "Self"
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    if "Animation" in genres and rng.random() < 0.5:
        return f"{first} the {rng.choice(ANIMALS).capitalize()}"
    roll = rng.random()
    if roll < 0.55:
        return f"{first} {last}"
    if roll < 0.75:
        return first
    return rng.choice(CHARACTER_FORMS).format(first=first, last=last)


def _genres_pick(rng: random.Random) -> list[str]:
    main = _weighted(rng, GENRE_PREVALENCE)
    genres = [main]
    count = rng.choices((1, 2, 3), weights=(35, 45, 20))[0]
    while len(genres) < count:
        companions: dict[str, float] = {}
        for genre in genres:
            for companion, weight in GENRE_COMPANIONS[genre].items():
                if companion not in genres:
                    companions[companion] = companions.get(companion, 0) + weight
        if not companions:
            break
        genres.append(_weighted(rng, companions))
    return genres


def _tags_pick(rng: random.Random, genres: list[str]) -> list[str]:
    weights = dict.fromkeys(MOODS + THEMES, BASE_TAG_WEIGHT)
    for genre in genres:
        for tag, weight in GENRE_TAGS[genre].items():
            weights[tag] += weight
    return _weighted_distinct(rng, weights, rng.choices((1, 2, 3, 4), weights=(20, 35, 30, 15))[0])


def _maturity(rng: random.Random, *, kind: str, genres: list[str]) -> str:
    edgy = any(genre in DARK_GENRES for genre in genres)
    for_kids = not edgy and any(genre in ("Animation", "Family") for genre in genres)
    rating = MaturityRating
    if kind == Title.Kind.SERIES:
        if for_kids:
            table = {rating.TV_Y: 25, rating.TV_Y7: 30, rating.TV_G: 30, rating.TV_PG: 15}
        elif edgy:
            table = {rating.TV_PG: 5, rating.TV_14: 40, rating.TV_MA: 55}
        else:
            table = {rating.TV_G: 8, rating.TV_PG: 27, rating.TV_14: 45, rating.TV_MA: 20}
    elif for_kids:
        table = {rating.G: 40, rating.PG: 45, rating.PG_13: 15}
    elif edgy:
        table = {rating.PG: 3, rating.PG_13: 35, rating.R: 56, rating.NC_17: 6}
    else:
        table = {rating.G: 6, rating.PG: 20, rating.PG_13: 42, rating.R: 30, rating.NC_17: 2}
    return _weighted(rng, table)


def _name_parts(genres: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if any(genre in DARK_GENRES for genre in genres):
        return ADJECTIVES + DARK_ADJECTIVES, NOUNS + DARK_NOUNS
    if any(genre in LIGHT_GENRES for genre in genres):
        return ADJECTIVES + LIGHT_ADJECTIVES, NOUNS + LIGHT_NOUNS
    return ADJECTIVES, NOUNS


def _title_name(rng: random.Random, *, genres: list[str], city: str) -> str:
    adjectives, nouns = _name_parts(genres)
    adjective, noun = rng.choice(adjectives), rng.choice(nouns)
    plural, first = rng.choice(PLURALS), rng.choice(FIRST_NAMES)
    templates = {
        f"The {adjective} {noun}": 6,
        f"{adjective} {plural}": 3,
        f"{rng.choice(COUNTS)} {rng.choice(SPANS)} in {city}": 2,
        f"The {noun} of {city}": 2,
        f"The Last {noun}": 1,
        f"{rng.choice(ELEMENTS)} and {rng.choice(ELEMENTS)}": 1,
        f"{'An' if noun[0] in 'AEIOU' else 'A'} {noun} for {first}": 1,
        f"{city} {rng.choice(CODAS)}": 1,
        f"When the {noun} {rng.choice(VERBS)}": 1,
        f"{first} and the {adjective} {noun}": 2,
        f"Beneath the {adjective} {noun}": 1,
        f"The {plural} of {city}": 1,
    }
    name = _weighted(rng, templates)
    # Both elements can come out the same ("Salt and Salt"): fall back to the classic form.
    parts = name.split(" and ")
    return f"The {adjective} {noun}" if len(parts) == 2 and parts[0] == parts[1] else name


def _synopsis(
    rng: random.Random, *, genres: list[str], tags: list[str], city: str, kind: str
) -> tuple[str, str]:
    """The synopsis, and the protagonist's first name (episodes reuse it)."""
    hero = rng.choice(FIRST_NAMES)
    if "Documentary" in genres:
        subject = rng.choice(DOCUMENTARY_SUBJECTS).format(city=city)
        what = "documentary series" if kind == Title.Kind.SERIES else "documentary"
        return f"This {what} follows {subject}. {rng.choice(DOCUMENTARY_ANGLES)}", hero
    themes = [tag for tag in tags if tag in THEME_HOOKS]
    hook_source = THEME_HOOKS[rng.choice(themes)] if themes else GENRE_HOOKS[genres[0]]
    hook = rng.choice(hook_source).format(city=city)
    if "Animation" in genres and rng.random() < 0.6:
        who = f"{hero}, a {rng.choice(('stubborn', 'tiny', 'curious', 'clumsy'))} young "
        who += rng.choice(ANIMALS)
    else:
        setting = rng.choice(SETTINGS).format(city=city)
        who = f"{hero} {rng.choice(LAST_NAMES)}, {rng.choice(OCCUPATIONS)} {setting},"
    sentences = [f"{who} {hook}.", rng.choice(COMPLICATIONS[genres[0]])]
    moods = [tag for tag in tags if tag in MOOD_CLOSERS]
    if moods:
        sentences.append(MOOD_CLOSERS[rng.choice(moods)])
    return " ".join(sentences), hero


def _runtime(rng: random.Random, *, kind: str, genres: list[str]) -> int:
    if kind == Title.Kind.SERIES:
        short = any(genre in ("Comedy", "Animation", "Family") for genre in genres)
        return rng.choice((22, 24, 25, 28, 30) if short else (42, 44, 45, 48, 50, 52, 55, 58, 60))
    mean = sum(FILM_RUNTIMES.get(genre, 105) for genre in genres) / len(genres)
    return min(170, max(78, round(rng.gauss(mean, 14))))


def _unused_episode_name(drawn: str, used: set[str]) -> str:
    """`drawn`, or the next name after it not used by the series yet.

    Walking on from the drawn name, instead of drawing again, keeps the random stream, and
    so every title and history after this series, as it was.
    """
    names = EPISODE_NAMES + MORE_EPISODE_NAMES
    start = names.index(drawn)
    for name in names[start:] + names[:start]:
        if name not in used:
            return name
    raise ValueError(f"a series needs more than {len(names)} episode names")


def _seasons_build(
    rng: random.Random, *, year: int, runtime: int, hero: str
) -> tuple[SeasonSpec, ...]:
    # No season airs after LAST_YEAR: a 2024 series has at most two.
    season_count = min(
        rng.choices((1, 2, 3, 4, 5), weights=(35, 25, 18, 12, 10))[0], LAST_YEAR - year + 1
    )
    seasons = []
    used: set[str] = set()
    for number in range(1, season_count + 1):
        episodes = []
        for episode_number in range(1, rng.randint(6, 10) + 1):
            if number == 1 and episode_number == 1 and rng.random() < 0.4:
                name = "Pilot"
            else:
                name = _unused_episode_name(rng.choice(EPISODE_NAMES), used)
            used.add(name)
            synopsis = f"{hero} {rng.choice(EPISODE_HOOKS)}."
            episodes.append(
                EpisodeSpec(
                    number=episode_number,
                    name=name,
                    synopsis=synopsis,
                    runtime_minutes=min(60, max(22, runtime + rng.randint(-3, 4))),
                )
            )
        seasons.append(SeasonSpec(number=number, year=year + number - 1, episodes=tuple(episodes)))
    return tuple(seasons)


def _titles_build(
    rng: random.Random,
    *,
    count: int,
    people: tuple[PersonSpec, ...],
    crew: list[int],
    cast: list[int],
) -> tuple[TitleSpec, ...]:
    # `crew` and `cast` arrive sorted by birth year, so bisecting these parallel lists finds
    # who was of working age when a title was made.
    crew_births = [people[i].birth_year for i in crew]
    cast_births = [people[i].birth_year for i in cast]
    country_weights = [weight for _c, _l, weight, _cities in COUNTRIES]
    used_names: set[str] = set()
    used_slugs: set[str] = set()
    titles: list[TitleSpec] = []
    for _index in range(count):
        kind = Title.Kind.SERIES if rng.random() < SERIES_SHARE else Title.Kind.MOVIE
        genres = _genres_pick(rng)
        tags = _tags_pick(rng, genres)
        year = _year(rng)
        country, language, _weight, cities = rng.choices(COUNTRIES, weights=country_weights)[0]
        city = rng.choice(cities) if rng.random() < 0.7 else rng.choice(rng.choice(COUNTRIES)[3])
        name = ""
        for _attempt in range(12):
            name = _title_name(rng, genres=genres, city=city)
            if name not in used_names:
                break
        # After a dozen misses the name stays: a remake, told apart by the year in its slug.
        used_names.add(name)
        slug = _unique_slug(slugify(name), used_slugs, year=year)
        used_slugs.add(slug)
        synopsis, hero = _synopsis(rng, genres=genres, tags=tags, city=city, kind=kind)
        runtime = _runtime(rng, kind=kind, genres=genres)
        days_in_year = (date(year + 1, 1, 1) - date(year, 1, 1)).days
        titles.append(
            TitleSpec(
                kind=kind,
                name=name,
                slug=slug,
                synopsis=synopsis,
                year=year,
                release_date=date(year, 1, 1) + timedelta(days=rng.randrange(days_in_year)),
                runtime_minutes=runtime,
                maturity_rating=_maturity(rng, kind=kind, genres=genres),
                original_language=language,
                country=country,
                genres=tuple(genres),
                tags=tuple(tags),
                credits=_credits_build(
                    rng,
                    kind=kind,
                    year=year,
                    genres=genres,
                    crew=crew,
                    crew_births=crew_births,
                    cast=cast,
                    cast_births=cast_births,
                ),
                seasons=(
                    _seasons_build(rng, year=year, runtime=runtime, hero=hero)
                    if kind == Title.Kind.SERIES
                    else ()
                ),
                added_days_ago=rng.randrange(730),
                quality=max(-1.0, min(1.0, rng.gauss(0, 0.45))),
            )
        )
    return tuple(titles)


def _accounts_build(rng: random.Random, *, count: int) -> tuple[AccountSpec, ...]:
    kids_ages = [age for age, _label in AGE_CHOICES if age <= KIDS_MAX_AGE]
    accounts = []
    for number in range(1, count + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        home_language = _weighted(rng, PROFILE_LANGUAGES)
        profile_count = rng.choices(
            range(1, MAX_PROFILES_PER_ACCOUNT + 1), weights=(30, 35, 25, 10)
        )[0]
        colors = rng.sample(AvatarColor.values, profile_count)
        used_names: list[str] = []
        profiles = []
        for position in range(profile_count):
            # The first profile is the account holder's, so it is never a kids profile.
            is_kids = position > 0 and rng.random() < KIDS_PROFILE_SHARE
            if position == 0:
                name = first
            elif is_kids and rng.random() < 0.3:
                name = "Kids"
            else:
                name = rng.choice(KIDS_NAMES if is_kids else FIRST_NAMES)
            while name.lower() in used_names:
                name = rng.choice(KIDS_NAMES if is_kids else FIRST_NAMES)
            used_names.append(name.lower())
            if is_kids:
                max_age = rng.choice(kids_ages)
            elif position > 0 and rng.random() < 0.08:
                max_age = rng.choice((13, 16))  # a teenager's profile
            else:
                max_age = 18
            group_weights = KIDS_GROUP_WEIGHTS if is_kids else ADULT_GROUP_WEIGHTS
            profiles.append(
                ProfileSpec(
                    name=name,
                    avatar_color=colors[position],
                    language=home_language
                    if rng.random() < 0.85
                    else _weighted(rng, PROFILE_LANGUAGES),
                    is_kids=is_kids,
                    max_maturity_age=max_age,
                    group=_GROUP_BY_NAME[_weighted(rng, group_weights)],
                )
            )
        accounts.append(
            AccountSpec(
                name=f"{first} {last}",
                email=f"{slugify(first)}.{slugify(last)}.{number}@{EMAIL_DOMAIN}",
                profiles=tuple(profiles),
            )
        )
    return tuple(accounts)
