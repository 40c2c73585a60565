"""The word lists the demo world is combined from.

Genres and tags are fixed; names, plots, characters and episodes are put together from the
other lists, so nothing in the demo looks like, or can be mistaken for, a real film or
person. Kept compact by hand: one item per line would bury the code under word lists.
"""

from __future__ import annotations

from accounts.models import Language

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

# fmt: on
