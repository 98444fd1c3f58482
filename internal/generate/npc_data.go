package generate

// Tables for NPC drafts, written for this project.

type weighted struct {
	value  string
	weight int
}

var ancestries = []weighted{
	{"human", 40}, {"elf", 9}, {"dwarf", 10}, {"halfling", 9}, {"gnome", 6}, {"half-elf", 8},
	{"half-orc", 6}, {"orc", 4}, {"tiefling", 4}, {"dragonborn", 4},
}

// ancestryCultures lists the naming cultures of each ancestry; the first
// is the most common.
var ancestryCultures = map[string][]string{
	"human":      {"human"},
	"elf":        {"elvish"},
	"half-elf":   {"human", "elvish"},
	"dwarf":      {"dwarvish"},
	"halfling":   {"halfling"},
	"gnome":      {"halfling", "dwarvish"},
	"half-orc":   {"orcish", "human"},
	"orc":        {"orcish"},
	"tiefling":   {"human", "elvish"},
	"dragonborn": {"orcish", "dwarvish"},
}

// cultureAncestry is the ancestry a culture hint implies when no ancestry
// is given.
var cultureAncestry = map[string]string{"human": "human", "elvish": "elf", "dwarvish": "dwarf", "halfling": "halfling", "orcish": "half-orc"}

var occupations = []string{
	"blacksmith", "innkeeper", "barmaid", "merchant", "caravan guard", "priest", "acolyte", "scribe", "herbalist", "hunter",
	"fisher", "farmer", "miller", "baker", "butcher", "tanner", "cartographer", "sailor", "dockhand", "city watch sergeant",
	"mercenary captain", "thief", "fence", "smuggler", "noble's steward", "minor noble", "bard", "alchemist", "hedge wizard", "sage",
	"gravedigger", "ratcatcher", "stablehand", "jeweller", "moneylender", "tax collector", "shepherd", "woodcutter", "midwife", "beggar",
}

var builds = []string{"wiry", "stocky", "tall and gaunt", "broad-shouldered", "slight", "heavyset", "lean and weathered", "round-faced", "hunched", "athletic"}

var hairs = map[string][]string{
	"default":  {"close-cropped grey hair", "a tangle of red curls", "a shaved head", "long black braids", "thinning sandy hair", "silver-streaked auburn hair", "a topknot of dark hair", "unruly brown hair"},
	"dwarf":    {"a braided copper beard", "a forked grey beard hung with iron rings", "a soot-black beard tucked into the belt", "a short, singed beard"},
	"elf":      {"pale hair down to the waist", "ink-dark hair bound with a silver cord", "hair the colour of autumn leaves", "short silver hair"},
	"orc":      {"a black mane tied back with sinew", "a shaved scalp crossed by old scars", "coarse grey hair in a warrior's knot"},
	"half-orc": {"a black mane tied back with sinew", "a shaved scalp crossed by old scars", "coarse grey hair in a warrior's knot"},
}

var eyes = []string{"sharp green eyes", "one milky eye", "deep-set brown eyes", "restless grey eyes", "amber eyes", "heavy-lidded blue eyes", "eyes that never meet yours", "laugh lines around kind eyes"}

var marks = []string{
	"a burn scar across the left hand", "ink-stained fingers", "a missing front tooth", "a tattoo of a coiled serpent on the neck",
	"a nose broken more than once", "rings on every finger", "a limp favouring the right leg", "a smell of pipe smoke and cloves",
	"freckles like spilt paint", "a jagged scar through one eyebrow", "calloused, enormous hands", "an embroidered eye-patch",
}

var dress = []string{
	"wears a patched leather apron", "dresses in faded finery", "wears a travel-stained cloak", "wears the colours of a local guild",
	"is never without a wide-brimmed hat", "wears mismatched boots", "wears a holy symbol on a chain", "dresses plainly but spotlessly",
}

var traits = []string{
	"blunt to the point of rudeness", "endlessly curious", "suspicious of strangers", "warm and talkative", "nervous, fidgets constantly",
	"proud of their work", "quick to laugh", "quietly observant", "superstitious", "boastful", "gentle and patient", "easily offended",
	"fiercely loyal to friends", "cynical about authority", "generous to a fault", "meticulous and orderly", "dreamy and distracted", "hot-tempered",
}

var ideals = []string{
	"Tradition: the old ways keep us alive.", "Freedom: no one should live in chains.", "Greed: coin is the only honest measure.",
	"Community: we stand or fall together.", "Knowledge: every secret deserves to be known.", "Honour: a promise is a debt.",
	"Power: the strong decide.", "Charity: help those who cannot help themselves.", "Redemption: anyone can change, even me.",
	"Family: blood before everything.", "Faith: the gods are watching.", "Independence: I owe no one anything.",
}

var flaws = []string{
	"cannot keep a secret after two drinks", "gambles away every coin", "lies out of habit, even when the truth would do",
	"holds a grudge for years", "is terrified of the dark", "trusts anyone with a kind word", "is too proud to ask for help",
	"steals small things without thinking", "panics when plans change", "would sell out a friend to save their own skin",
	"cannot resist a dare", "is hopelessly in debt",
}

var motivations = []string{
	"wants to pay off a dangerous debt", "wants revenge on whoever ruined their family", "wants to leave this place and see the world",
	"wants to protect a younger sibling", "wants to win the respect of their guild", "wants to find a missing friend",
	"wants to become rich enough to never work again", "wants to atone for an old crime", "wants to prove a rival is a fraud",
	"wants to recover an heirloom that was stolen", "wants to keep their business afloat", "wants to be remembered in songs",
}

// Bonds and secrets with a %s name a campaign entity when one fits; the
// fallbacks stand alone.
var bondsWithCharacter = []string{
	"owes %s a debt they can never repay", "was once betrayed by %s and has not forgotten", "secretly admires %s",
	"grew up alongside %s", "carries messages for %s, no questions asked",
}

var bondsWithLocation = []string{
	"would die to defend %s", "was born in %s and longs to return", "keeps a hidden stash somewhere in %s", "was banished from %s",
}

var bonds = []string{
	"keeps a locket with a portrait of a lost love", "is sworn to an order that no longer exists", "protects the family business",
	"owes their life to a stranger whose name they never learnt", "tends the grave of a mentor",
}

var secretsWithCharacter = []string{
	"is secretly spying on %s for a rival", "knows what really happened to %s's family", "is being blackmailed by %s",
	"is the true parent of someone close to %s",
}

var secretsWithPlot = []string{
	"knows more about \"%s\" than they admit", "is quietly working to make sure \"%s\" fails", "holds the one clue that would settle \"%s\"",
}

var secrets = []string{
	"is a deserter with a price on their head", "is not who they claim to be: the real one died years ago", "worships a forbidden god",
	"murdered someone and hid the body under the floor", "is a member of a thieves' guild", "is slowly dying of a wasting curse",
	"has a twin no one here knows about", "sold a friend to slavers long ago",
}

var pitches = []string{"deep and gravelly", "high and reedy", "warm baritone", "husky whisper", "bright and sing-song", "nasal", "booming", "soft and breathy", "cracked with age", "clear alto"}

var paces = []string{"slow and deliberate", "rapid-fire", "halting, with long pauses", "measured and formal", "rambling", "clipped and terse", "sing-song rhythm", "speeds up when excited"}

var accents = map[string][]string{
	"human":    {"broad rural drawl", "crisp city vowels", "lilting coastal burr", "flat northern vowels", "merchant's polished neutral"},
	"elvish":   {"musical, every vowel drawn out", "precise, old-fashioned diction", "soft sibilants, barely voiced r's"},
	"dwarvish": {"rolled r's and hard consonants", "deep chest voice, clipped words", "thick mountain brogue"},
	"halfling": {"cheerful country lilt", "quick, chirpy village accent", "rounded, cosy vowels"},
	"orcish":   {"guttural, swallowed consonants", "harsh, barked syllables", "low growl under every word"},
}

var tics = []string{
	"ends questions with \"eh?\"", "clears their throat before every sentence", "calls everyone \"friend\"", "repeats the last word others say",
	"swears by an obscure saint", "hums between sentences", "counts on their fingers while talking", "says \"mark my words\" often",
	"laughs at their own jokes before the punchline", "never uses anyone's name", "speaks of themselves in the third person", "whistles through a gap in their teeth",
}
