package generate

// placeKind is the grammar and tables of one type of location. Name
// templates use {A} (an adjective), {N} and {M} (two different nouns),
// {G} (a given name), {F} (a family name) and {S} (a settlement name).
type placeKind struct {
	names    []string
	adjs     []string
	nouns    []string
	features []string
	// people are the roles of named inhabitants; creatures the unnamed.
	people    []string
	creatures []string
	hooks     []string
	// theme is the encounter theme of the place (see themes).
	theme string
}

// placeAliases map other spellings of a type to the kind that describes it.
var placeAliases = map[string]string{
	"inn": "tavern", "pub": "tavern", "alehouse": "tavern",
	"hamlet": "village", "town": "village",
	"metropolis": "city", "capital": "city",
	"tomb": "crypt", "graveyard": "crypt", "cemetery": "crypt", "catacombs": "crypt", "mausoleum": "crypt",
	"cavern": "cave", "mine": "cave", "grotto": "cave",
	"wood": "forest", "woods": "forest", "jungle": "forest", "grove": "forest",
	"shrine": "temple", "church": "temple", "monastery": "temple", "cathedral": "temple",
	"keep": "castle", "fortress": "castle", "tower": "castle", "citadel": "castle",
	"ruin":  "ruins",
	"marsh": "swamp", "bog": "swamp", "fen": "swamp",
	"peak": "mountain", "mountains": "mountain", "hills": "mountain",
	"harbor": "port", "harbour": "port", "docks": "port",
	"store": "shop", "market": "shop",
	"labyrinth": "dungeon", "vault": "dungeon", "lair": "dungeon",
}

// LocationTypes are the types with a grammar of their own; any other type
// is described by a generic grammar.
var LocationTypes = []string{"tavern", "shop", "village", "city", "castle", "temple", "dungeon", "crypt", "cave", "ruins", "forest", "swamp", "mountain", "port"}

var settlementParts = [2][]string{
	{"Ash", "Brack", "Cold", "Elm", "Fen", "Gal", "Hol", "Kings", "Lang", "Mar", "North", "Oak", "Pen", "Rave", "Salt", "Stan", "Thorn", "Wex", "Bram", "Cray", "Dun", "Ever", "Hay", "Lud"},
	{"ford", "wick", "bury", "ham", "mouth", "stead", "ton", "vale", "well", "by", "holt", "mere", "cross", "field", "gate", "combe"},
}

var moodWords = map[string][]string{
	"welcoming": {"bustling", "cheerful", "cosy", "well-kept", "lively"},
	"neutral":   {"quiet", "weathered", "ordinary-looking", "busy", "old"},
	"sinister":  {"brooding", "half-deserted", "shadowed", "rotting", "watchful"},
}

var moodFeatures = map[string][]string{
	"welcoming": {"Strangers are greeted by name within the hour", "The smell of fresh bread hangs in the air", "Children run errands for a copper"},
	"neutral":   {"Nobody asks questions, and nobody answers them", "A notice board is crowded with faded bills", "A bell marks the hours, one stroke late"},
	"sinister":  {"Doors are barred well before dark", "Someone has scratched warding signs into every lintel", "The locals fall silent when outsiders enter"},
}

var placeKinds = map[string]placeKind{
	"tavern": {
		names: []string{"The {A} {N}", "The {N} and {M}", "{G}'s Rest", "The {A} {N} Inn"},
		adjs:  []string{"Prancing", "Gilded", "Drowned", "Laughing", "Crooked", "Sleeping", "Rusty", "Tipsy", "Silver", "One-Eyed", "Wandering", "Howling"},
		nouns: []string{"Stag", "Goose", "Kettle", "Griffin", "Lantern", "Anchor", "Boar", "Fiddle", "Tankard", "Crown", "Badger", "Wyvern"},
		features: []string{"A fireplace big enough to roast an ox", "A mural of a famous brawl across the back wall", "Private booths behind heavy curtains",
			"A notice board of bounties", "A cellar door that is always locked", "A stage for travelling bards", "A cask of dwarven stout kept for regulars", "Rooms upstairs at two silver a night"},
		people:    []string{"innkeeper", "cook", "serving hand", "regular", "travelling bard", "hooded stranger"},
		creatures: []string{"an ancient, bad-tempered cat", "a pair of hounds by the hearth"},
		hooks: []string{"{I} is looking for someone to recover a stolen cask — and pays in favours.", "A traveller collapses at the bar, clutching a map marked with {L}'s sign.",
			"{I} overhears a plot to rob the next caravan and wants it stopped quietly.", "The cellar has a second door no one admits to building."},
		theme: "urban",
	},
	"shop": {
		names: []string{"{G}'s {N}", "The {A} {N}", "{F} & Daughters"},
		adjs:  []string{"Curious", "Honest", "Gilded", "Dusty", "Crooked", "Lucky"},
		nouns: []string{"Curios", "Emporium", "Wares", "Trading Post", "Apothecary", "Forge", "Scales", "Bindery"},
		features: []string{"Shelves that reach the rafters", "A locked cabinet of rare goods", "A ledger of debts on the counter", "A workshop in the back",
			"A bell that rings before the door opens", "Prices chalked on a slate"},
		people:    []string{"shopkeeper", "apprentice", "bookkeeper", "regular customer"},
		creatures: []string{"a caged talking bird"},
		hooks: []string{"{I} needs a rare ingredient from somewhere dangerous.", "A customer tried to sell {I} something that belongs to a noble house.",
			"{I}'s apprentice has vanished with the day's takings — or so it seems."},
		theme: "urban",
	},
	"village": {
		names: []string{"{S}", "{S}", "Little {S}", "{S} Green"},
		features: []string{"A village green with an old standing stone", "A mill on a sluggish stream", "A shrine to the harvest goddess", "A single inn doubling as the meeting hall",
			"Fields bordered by dry-stone walls", "A watchtower no one has manned in years", "A well said to grant one wish a century", "Smoke from a charcoal-burners' camp at the wood's edge"},
		people:    []string{"village elder", "blacksmith", "priest", "miller", "reeve", "herbalist", "shepherd"},
		creatures: []string{"geese that chase strangers"},
		hooks: []string{"Livestock have been found drained of blood; {I} blames outsiders.", "{I} asks the party to escort the tithe to the nearest town.",
			"A child of {L} claims to have seen lights in the old barrow.", "The well has started giving up old coins."},
		theme: "rural",
	},
	"city": {
		names: []string{"{S}", "{S}", "{G}'s Reach", "Port of {S}"},
		features: []string{"Walls older than the kingdom", "A river crossed by seven bridges", "A grand market under a glass dome", "Slums that climb the city walls",
			"Guild halls lining a marble avenue", "A palace on a hill, lit all night", "Catacombs beneath the old quarter", "A harbour crowded with foreign ships"},
		people:    []string{"magistrate", "guild master", "watch captain", "fence", "high priest", "crime boss", "street urchin"},
		creatures: []string{"packs of stray dogs", "rooftop ravens that steal anything shiny"},
		hooks: []string{"{I} offers a pardon in exchange for a dangerous errand.", "A guild war is brewing, and {I} wants the party on their side.",
			"Bodies are turning up in the canals of {L}, each missing a finger.", "{I} needs something smuggled past the gate tonight."},
		theme: "urban",
	},
	"castle": {
		names: []string{"{S} Keep", "Castle {F}", "The {A} Tower", "{F} Hold"},
		adjs:  []string{"Black", "Broken", "Lonely", "Crimson", "Frostbitten", "Silent"},
		features: []string{"A moat choked with reeds", "A great hall hung with faded banners", "A chapel with a sealed crypt", "Battlements scarred by siege engines",
			"A dungeon cut into the living rock", "A gatehouse with a rusted portcullis"},
		people:    []string{"castellan", "captain of the guard", "court wizard", "steward", "disgraced knight"},
		creatures: []string{"hounds in the kennels", "crows on every battlement"},
		hooks: []string{"{I} suspects poison in the lord's cup.", "The heir of {L} has gone missing on the eve of a wedding.",
			"{I} asks the party to test the castle's defences before a siege."},
		theme: "urban",
	},
	"temple": {
		names: []string{"Temple of the {A} {N}", "Shrine of {G}", "The {A} Sanctum", "Chapel of the {N}"},
		adjs:  []string{"Radiant", "Silent", "Veiled", "Eternal", "Ashen", "Merciful", "Hollow"},
		nouns: []string{"Flame", "Dawn", "Moon", "Hand", "Star", "Tide", "Harvest", "Mourning"},
		features: []string{"An altar of black basalt", "Stained glass showing a forgotten saint", "Pilgrims sleeping in the cloister", "A reliquary behind a silver grille",
			"Bells that ring by themselves at midnight", "Catacombs for the honoured dead"},
		people:    []string{"high priest", "acolyte", "pilgrim", "relic keeper", "penitent"},
		creatures: []string{"temple guardians of carved stone"},
		hooks: []string{"A relic has been swapped for a fake; {I} wants it found before the festival.", "{I} has had a vision involving one of the party.",
			"Pilgrims to {L} are disappearing on the road."},
		theme: "temple",
	},
	"dungeon": {
		names: []string{"The {A} Halls", "The {N} of {G}", "{G}'s {N}", "The {A} {N}"},
		adjs:  []string{"Sunken", "Forgotten", "Shattered", "Endless", "Drowned", "Whispering", "Iron"},
		nouns: []string{"Vaults", "Depths", "Labyrinth", "Undercroft", "Warrens", "Pits"},
		features: []string{"Collapsed corridors that force long detours", "A flooded lower level", "Traps reset by unseen hands", "A chamber of glowing fungus",
			"Walls carved with a warning in a dead language", "A sealed door with no handle", "Bones arranged in careful patterns"},
		people:    []string{"lost adventurer", "hermit cartographer", "cult leader"},
		creatures: []string{"things that scuttle in the walls", "a band of raiders", "a guardian that does not sleep", "hungry oozes"},
		hooks: []string{"{I} has mapped half of {L} and will trade the map for an escort.", "Something in the depths of {L} is calling to the party by name.",
			"A noble's ring was last seen in {L}'s lowest vault."},
		theme: "dungeon",
	},
	"crypt": {
		names: []string{"The Tomb of {G} {F}", "The {A} Crypt", "The {N} Ossuary", "The Barrow of {G}"},
		adjs:  []string{"Silent", "Weeping", "Sealed", "Hollow", "Nameless", "Bone-white"},
		nouns: []string{"Ashen", "Grey", "Mourners'", "Saints'", "Kings'"},
		features: []string{"Niches stacked with skulls", "Sarcophagi with their lids pushed aside", "Candles that never burn down", "A cold wind from below",
			"An inscription cursing grave robbers", "Fresh footprints in old dust"},
		people:    []string{"gravedigger", "grave robber", "mourning widow", "necromancer's apprentice"},
		creatures: []string{"restless dead", "a ghoul pack", "swarms of rats"},
		hooks: []string{"{I} swears the dead of {L} walk on moonless nights.", "A family heirloom was buried by mistake, and {I} wants it back.",
			"Someone is digging into {L} from the other side."},
		theme: "undead",
	},
	"cave": {
		names: []string{"The {A} Caves", "{N} Hollow", "The {A} Grotto", "{G}'s Delve"},
		adjs:  []string{"Echoing", "Glittering", "Dripping", "Black", "Howling", "Crystal"},
		nouns: []string{"Bat", "Wyrm", "Echo", "Miner's", "Troll"},
		features: []string{"An underground river", "Crystals that hum when touched", "Old mine carts on rusted rails", "A chasm crossed by a rope bridge",
			"Cave paintings of a hunt", "A chamber of steaming pools"},
		people:    []string{"prospector", "hermit", "smuggler"},
		creatures: []string{"a colony of bats", "something large in the deep water", "giant spiders"},
		hooks: []string{"{I} struck a vein of silver in {L} and then stopped coming back to town.", "Miners broke into a cave system that was not empty.",
			"Smugglers use {L}, and {I} knows when the next shipment arrives."},
		theme: "cave",
	},
	"ruins": {
		names: []string{"The Ruins of {S}", "The {A} Ruins", "Old {S}", "The {A} Colonnade"},
		adjs:  []string{"Fallen", "Overgrown", "Scorched", "Forsaken", "Shattered"},
		features: []string{"Toppled statues of forgotten kings", "A tower still standing, its door intact", "Vines covering a mosaic floor", "A dry fountain with a hidden stair",
			"Scorch marks from an ancient battle", "A library half-buried in rubble"},
		people:    []string{"scholar", "treasure hunter", "squatter"},
		creatures: []string{"scavenging beasts", "restless spirits", "bandits using the ruins as a hideout"},
		hooks: []string{"{I} has deciphered an inscription pointing to a vault in {L}.", "Rival treasure hunters are already digging in {L}.",
			"At night the ruins of {L} are lit as if the city still lived."},
		theme: "dungeon",
	},
	"forest": {
		names: []string{"The {A} Wood", "{N}wood", "The {A} Weald", "{G}'s Forest"},
		adjs:  []string{"Whispering", "Tangled", "Elder", "Misty", "Thorned", "Green", "Dim"},
		nouns: []string{"Oak", "Ash", "Briar", "Raven", "Wolf", "Fern", "Hollow"},
		features: []string{"Trees older than any kingdom", "A ring of mushrooms no one steps into", "A hunting lodge, long abandoned", "Paths that change overnight",
			"A stream that runs uphill", "Standing stones wrapped in ivy", "A charcoal-burners' clearing"},
		people:    []string{"ranger", "woodcutter", "druid", "poacher", "hermit"},
		creatures: []string{"wolves", "a territorial owlbear", "will-o'-wisps at dusk", "a stag with silver antlers"},
		hooks: []string{"{I} has found tracks no beast should leave in {L}.", "Woodcutters refuse to enter {L} since the last full moon.",
			"A fey lord of {L} demands a debt be paid."},
		theme: "forest",
	},
	"swamp": {
		names: []string{"The {A} Mire", "{N} Fen", "The {A} Marsh", "{G}'s Bog"},
		adjs:  []string{"Sucking", "Drowned", "Fetid", "Grey", "Sunken", "Weeping"},
		nouns: []string{"Black", "Leech", "Reed", "Heron", "Mist"},
		features: []string{"Stilt houses linked by rope walks", "A sunken temple visible at low water", "Will-o'-wisps over the pools", "Trees hung with bone charms",
			"Islands of floating reeds", "A smell of rot and sweet flowers"},
		people:    []string{"swamp witch", "eel fisher", "guide", "exile"},
		creatures: []string{"crocodiles", "giant frogs", "lizardfolk hunters", "things that pull swimmers under"},
		hooks: []string{"{I} will guide the party through {L} for a price — and a favour later.", "A barge went missing in {L} with a noble's cargo.",
			"The swamp of {L} is spreading, a yard a day."},
		theme: "swamp",
	},
	"mountain": {
		names: []string{"The {A} Peaks", "Mount {G}", "{N} Spire", "The {A} Pass"},
		adjs:  []string{"Frozen", "Jagged", "Thunder", "Grey", "Sky-piercing", "Broken"},
		nouns: []string{"Eagle", "Giant's", "Dragon's", "Storm", "Wind"},
		features: []string{"A pass closed by snow half the year", "A monastery clinging to the cliffs", "A dragon's bones half-buried in scree", "Rope bridges over deep gorges",
			"An abandoned dwarven gate", "Hot springs hidden in a valley"},
		people:    []string{"mountain guide", "hermit monk", "miner", "herder"},
		creatures: []string{"giant eagles", "a giant's family", "mountain goats", "something that nests on the peak"},
		hooks: []string{"{I} saw a dragon over {L} for the first time in a century.", "The pass of {L} must be crossed before the snows, with cargo that must not be opened.",
			"Giants have been seen rolling boulders onto the road of {L}."},
		theme: "mountain",
	},
	"port": {
		names: []string{"{S} Harbour", "Port {G}", "{S} Docks", "{S}mouth"},
		features: []string{"A lighthouse that burns green", "Warehouses guarded by a merchant company", "A fish market loud from dawn", "Wrecks visible at low tide",
			"A customs house everyone bribes", "Taverns full of sailors from a dozen lands"},
		people:    []string{"harbour master", "smuggler captain", "dockhand", "fishwife", "customs officer"},
		creatures: []string{"gulls that steal from the stalls", "something that bumps the hulls at night"},
		hooks: []string{"{I} needs a crew for a voyage no one else will take.", "A ghost ship has anchored in {L}'s harbour.",
			"Cargo from {L}'s warehouses keeps going missing."},
		theme: "coast",
	},
}

// genericKind describes a type without a grammar of its own.
var genericKind = placeKind{
	names: []string{"{S}", "The {A} {T}", "{G}'s {T}"},
	adjs:  []string{"Old", "Hidden", "Lonely", "Forgotten", "Bright", "Hollow"},
	features: []string{"A landmark visible for miles", "Old stones marked with unknown signs", "A path worn by many feet", "A place locals avoid after dark",
		"Signs of a recent camp", "A view over the whole valley"},
	people:    []string{"caretaker", "traveller", "local guide"},
	creatures: []string{"wild animals"},
	hooks:     []string{"{I} knows a secret about {L} and will trade it.", "Something was buried at {L} long ago, and someone wants it dug up."},
}
