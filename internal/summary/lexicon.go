package summary

import "github.com/gmc-project/gmc/internal/gmc"

// cues are the words that mark each kind of scene. A scene is the kind
// whose cues it hears most; a scene with few cues of any kind is talk,
// which is roleplay.
var cues = map[gmc.SceneKind]map[string]bool{
	gmc.SceneCombat: stems(`attack attacks attacked hit hits damage initiative sword axe dagger mace arrow arrows bow crossbow strike
		slash stab kill killed dies dead fight fighting battle swing charge crit critical dodge parry armor ac hp hitpoints wound wounded
		blood bleed slay slain defeat defeated flee enemy enemies ambush combat turn round roll rolls rolled miss missed spear club
		hammer shield dodge smite sneak monster monsters beast claws bite bites breath unconscious heals fireball bolt magic_missile
		opportunity reaction bonus action strikes swings`),
	gmc.SceneShopping: stems(`buy buys bought sell sells sold price prices cost costs gold silver copper coin coins gp sp cp merchant
		merchants shop shops store haggle haggling discount trade purchase afford pay paid wares stock market vendor shopkeeper
		counter deal bargain expensive cheap sale change receipt blacksmith smith apothecary`),
	gmc.SceneRest: stems(`rest resting rested sleep sleeping slept camp campfire watch night dawn morning recover recovered
		heal healed hitdice bedroll bedrolls tired exhausted exhaustion breakfast dinner meal supper dream dreams
		nightwatch wake woke snore spell_slots slots regain regained lodging`),
	gmc.SceneExploration: stems(`road roads path paths travel travels traveled journey forest woods cave caves corridor corridors
		door doors map north south east west explore exploring search searched perception investigate investigation trap traps
		climb climbed river mountain mountains tracks ruins trail walk walked ride rode miles hours bridge tunnel tunnels chamber
		stairs passage hall halls gate gates valley hill hills swamp marsh cliff ledge torch torches light dark darkness footprints
		follow followed ahead wagon horses cart survival navigate lost`),
	gmc.SceneRoleplay: stems(`say says said ask asks asked tell tells talk talks persuade persuasion deception insight intimidate
		intimidation tavern drink drinks ale beer wine innkeeper barkeep bartender rumor rumors rumour quest meet meets greet thank
		thanks friend friends promise promises agree agreed lie lies secret story news please sir madam lady lord welcome name
		favor favour offer offers job reward hire hired help voice introduce introduces smile smiles laugh laughs`),
}

// hitKinds says which scene kind a keyword engine hit of a category
// points to, and how strongly.
var hitKinds = map[string]struct {
	kind   gmc.SceneKind
	weight float64
}{
	"monster":           {gmc.SceneCombat, 2},
	"spell":             {gmc.SceneCombat, 1},
	"condition":         {gmc.SceneCombat, 1},
	"magic_item":        {gmc.SceneShopping, 0.5},
	"equipment":         {gmc.SceneShopping, 0.5},
	"location":          {gmc.SceneExploration, 1},
	"npc":               {gmc.SceneRoleplay, 0.5},
	"rule:attack_roll":  {gmc.SceneCombat, 3},
	"rule:damage":       {gmc.SceneCombat, 3},
	"rule:initiative":   {gmc.SceneCombat, 4},
	"rule:natural":      {gmc.SceneCombat, 1},
	"rule:healing":      {gmc.SceneRest, 1},
	"rule:saving_throw": {gmc.SceneCombat, 1},
}

func stems(s string) map[string]bool {
	m := map[string]bool{}
	for w := range set(s) {
		m[stem(w)] = true
	}
	return m
}

// Decisive words move a plot thread when said with its name or people.
var decisive = stems(`defeated defeat killed kill slain slew found find discovered discover agreed agree betrayed betray rescued
	rescue saved save captured capture destroyed destroy escaped escape recovered recover revealed reveal sealed seal stole
	freed free completed complete won win lost died allied ally refused refuse accepted accept returned delivered solved
	confessed exposed broke`)

// closing words finish a thread rather than move it.
var closing = stems(`defeated killed slain slew destroyed sealed completed solved rescued`)

// Attitude words: said with two characters, they change how one sees
// the other.
var (
	warmer = stems(`thank thanks thanked trust trusts trusted friend friends ally allies grateful hug hugs saved save helped help
		like likes love loves respect respects forgive forgives forgave promise promised agreed agree kind gift gifts admire`)
	colder = stems(`betray betrays betrayed hate hates hated threaten threatens threatened insult insults insulted angry furious
		distrust distrusts lied lie lies cheat cheated attack attacked suspicious suspect refuses refused enemy enemies rival
		mock mocks mocked spit spits curse cursed scorn`)
)

// Kill words finish a foe.
var killWords = stems(`kill kills killed slay slays slain slew dies died dead falls fell defeat defeats defeated finish finished
	destroy destroyed drop drops dropped`)

// Movement words tell that the party went to a place.
var arrival = stems(`arrive arrives arrived reach reaches reached enter enters entered travel traveled travelled visit visits
	visited head headed come came walk walked ride rode step stepped into through approach approached`)

// notNames are capitalised words at the table that are not people.
var notNames = set(`i gm dm dc ac hp xp ok okay yes no yeah oh alright well so but and then now what who where when why how
	mr mrs ms sir lady lord monday tuesday wednesday thursday friday saturday sunday god gods hey hi hello please thanks
	the a an it its this that there they we you he she his her my our your their let lets nat natural roll initiative`)

// places are the words before a name that make it a place, not a person.
var places = set(`in at to from into toward towards near inside outside through across of`)
