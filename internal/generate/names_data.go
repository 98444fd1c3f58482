package generate

// The name lists the Markov chains learn from, one per culture, written
// for this project: invented names and plain fantasy-style ones, none
// copied from a published list. Generated names are never one of these.

// Cultures are the naming cultures, in a fixed order.
var Cultures = []string{"human", "elvish", "dwarvish", "halfling", "orcish"}

var givenNames = map[string][]string{
	"human": {
		"Aldric", "Brenna", "Cedric", "Dorian", "Elsbeth", "Faron", "Gwendal", "Hadrik", "Isolde", "Jorund",
		"Kestrel", "Lorcan", "Maren", "Nolwen", "Osric", "Perrin", "Quenna", "Rowan", "Sabine", "Tobin",
		"Ulric", "Verena", "Wendel", "Ysolde", "Alwin", "Bertram", "Corvin", "Daria", "Edric", "Fenna",
		"Garrick", "Helga", "Ivo", "Jessa", "Kaelan", "Lysa", "Merrick", "Nessa", "Odo", "Petra",
		"Roderick", "Selma", "Tamsin", "Ulla", "Vance", "Wilmot", "Yorick", "Aveline", "Brandt", "Cyrilla",
		"Desmond", "Elric", "Falka", "Gerold", "Hester", "Ingram", "Joss", "Katrin", "Leofric", "Mirela",
		"Norbert", "Orla", "Piers", "Rosalind", "Stellan", "Thea", "Una", "Wulfric", "Ansel", "Bryony",
		"Cormac", "Davina", "Emeric", "Gisela", "Halden", "Ilsa", "Lucan", "Margery", "Oswin", "Rhosa",
	},
	"elvish": {
		"Aeloria", "Belaren", "Caerith", "Delaeth", "Elowyn", "Faerath", "Galinor", "Hirael", "Ilmareth", "Jaelor",
		"Kaelindor", "Lathiel", "Meliora", "Naeleth", "Oriendel", "Pellarien", "Quaeril", "Rhosyn", "Silvaeth", "Thaliora",
		"Uvaelen", "Vaeril", "Ynareth", "Zaelith", "Aravael", "Briseth", "Celandir", "Eluviel", "Filaura", "Gaelira",
		"Ithiriel", "Keliandor", "Loraeth", "Maelis", "Nimareth", "Ollathir", "Pyrael", "Rilithien", "Sylvaris", "Taerin",
		"Umareth", "Vaelindra", "Yavanel", "Aerendyl", "Belithra", "Caelynn", "Daelis", "Elandor", "Faelwen", "Gilvaris",
		"Halueth", "Ilyndra", "Jhaelis", "Kethryl", "Laerion", "Myrieth", "Naeris", "Orinel", "Phaelis", "Quilareth",
		"Rhaeldir", "Saelith", "Thessaly", "Aelith", "Evanthiel", "Iliaran", "Luthariel", "Seranthe", "Tirnael", "Valanthe",
	},
	"dwarvish": {
		"Balgrim", "Brokkar", "Dorgrun", "Durnok", "Bofrik", "Brundal", "Dagnar", "Dolgrin", "Dorvik", "Durgan",
		"Egrim", "Falkrun", "Gimbar", "Gorrin", "Gundrak", "Hakdur", "Halgrim", "Hornak", "Ivrun", "Jorgrim",
		"Kazdrun", "Kelgar", "Korvald", "Lodrik", "Magnir", "Morvak", "Nalgrim", "Norvik", "Odrun", "Ragnil",
		"Rokdar", "Skorri", "Storn", "Sundrak", "Thalgrun", "Thorvin", "Throdak", "Audhild", "Berga", "Dorna",
		"Edda", "Frida", "Gilda", "Hildra", "Irmgard", "Jorna", "Kelda", "Magda", "Nordra", "Orsa",
		"Ragna", "Sigrun", "Thordis", "Ulfhild", "Vigdra", "Brunhal", "Dagmar", "Gretta", "Hadra", "Torgra",
		"Barik", "Grundi", "Haldrek", "Korgun", "Morgrim", "Nordak", "Orsik", "Thragni", "Vonbar", "Drumgar",
	},
	"halfling": {
		"Andry", "Bramwell", "Cade", "Dodric", "Elbie", "Fennick", "Gorbo", "Hobson", "Jago", "Kip",
		"Lenny", "Milo", "Nedda", "Ollo", "Pim", "Quill", "Rosie", "Sammo", "Tansy", "Wat",
		"Bertie", "Cora", "Daisy", "Edwin", "Fip", "Gilly", "Hattie", "Ivy", "Jemma", "Kitty",
		"Lottie", "Maddy", "Nib", "Olly", "Poppy", "Rilla", "Sully", "Tibbie", "Wendy", "Barley",
		"Cobb", "Dilly", "Emmet", "Figgy", "Griff", "Hamlo", "Jory", "Kettle", "Linnet", "Mungo",
		"Nello", "Otho", "Pippa", "Roddy", "Semmy", "Toby", "Ulo", "Verbena", "Wilbo", "Bessie",
		"Clover", "Dunny", "Elsie", "Fosco", "Hilda", "Merla", "Posy", "Rudi", "Tolly", "Tuck",
	},
	"orcish": {
		"Azgul", "Bolgrak", "Drogga", "Ghazat", "Grashna", "Horgul", "Karnak", "Grukk", "Thrag", "Morg",
		"Uzgash", "Brakka", "Durg", "Ghorza", "Ruzgah", "Skarn", "Tukka", "Urgash", "Vrak", "Zugra",
		"Barza", "Dagga", "Gorza", "Hrunka", "Krogha", "Mazra", "Nargul", "Oshka", "Rogga", "Shagra",
		"Trogdar", "Ugra", "Vorza", "Yazga", "Gharn", "Krull", "Murzag", "Rukh", "Snagga", "Throk",
		"Ugluk", "Vargash", "Zorgat", "Agra", "Bruzga", "Dushka", "Grima", "Hagra", "Kurza", "Lugra",
		"Mogra", "Nazka", "Orzha", "Raka", "Shuzga", "Tazra", "Ulka", "Brogg", "Dokhar", "Grozak",
		"Harkul", "Kazgor", "Mokdar", "Ragzul", "Shorg", "Tharuk", "Uzrok", "Vogrash", "Zhakk", "Gruzhul",
	},
}

// Family names are compounds of a first and a second part; orcish ones
// are epithets ("the Bone-breaker").
var familyParts = map[string][2][]string{
	"human": {
		{"Ash", "Black", "Bright", "Cold", "Crow", "Dun", "Elder", "Fair", "Fox", "Green", "Hart", "High", "Long", "Marsh", "Mill", "Oak", "Red", "Rook", "Thorn", "West", "White", "Wild", "Barrow", "Hollin"},
		{"ford", "wood", "well", "brook", "field", "hill", "by", "ton", "more", "gate", "ridge", "wick", "stead", "dale", "croft", "haven", "worth", "ley"},
	},
	"elvish": {
		{"Moon", "Star", "Silver", "Dawn", "Leaf", "Wind", "Mist", "Sun", "Amber", "Night", "River", "Gloam", "Frost", "Willow", "Dusk"},
		{"whisper", "song", "bloom", "shade", "brook", "weaver", "glade", "fall", "wing", "dew", "petal", "crown", "veil", "thread"},
	},
	"dwarvish": {
		{"Iron", "Stone", "Deep", "Granite", "Anvil", "Coal", "Flint", "Forge", "Gold", "Hammer", "Rune", "Silver", "Steel", "Thunder", "Copper", "Ember", "Slate"},
		{"beard", "fist", "hammer", "shield", "delve", "helm", "forge", "brow", "mantle", "axe", "vein", "heart", "bellow", "gut"},
	},
	"halfling": {
		{"Tea", "Under", "Good", "Bramble", "Green", "Hill", "Honey", "Tall", "Quick", "Thistle", "Apple", "Brush", "Merry", "Tumble", "Butter"},
		{"leaf", "bough", "barrel", "foot", "gather", "bottle", "top", "wick", "bank", "bun", "water", "dew", "kettle", "burrow"},
	},
	"orcish": {
		{"Skull", "Bone", "Iron", "Blood", "Ash", "Storm", "Gut", "Tusk", "Fang", "Hill", "Wolf", "Red", "Black"},
		{"splitter", "breaker", "eater", "biter", "render", "crusher", "caller", "taker", "grinder", "cleaver"},
	},
}
