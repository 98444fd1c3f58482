package demo

import (
	"encoding/json"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
)

// Campaign returns the demo campaign as a bundle, dated relative to now:
// two sessions played in the last fortnight, the next one in a week.
func Campaign(now time.Time) *gmc.Bundle {
	now = now.UTC().Truncate(time.Microsecond)
	ago := func(days int, hours time.Duration) *time.Time { t := now.AddDate(0, 0, -days).Add(hours); return &t }
	b := &gmc.Bundle{
		FormatVersion: gmc.BundleFormatVersion,
		ExportedAt:    now,
		Campaign: gmc.BundleCampaign{Name: "Demo: The Drowned Lantern", GameSystem: "dnd5e", Settings: gmc.DefaultCampaignSettings(),
			Description: "A harbour town, a lighthouse that went dark, and a smuggling ring that knows why. Explore it, change it, delete it."},
		Sessions: []gmc.BundleSession{
			{ID: "s1", Number: 1, Title: "Fog over Saltmere", Status: gmc.SessionEnded, ScheduledAt: ago(14, 0), StartedAt: ago(14, 0), EndedAt: ago(14, 4*time.Hour),
				Notes: "The party arrived by ferry, met Marla at the Gull & Anchor and saw the lighthouse go dark at midnight.", CreatedAt: *ago(20, 0), UpdatedAt: *ago(14, 4*time.Hour)},
			{ID: "s2", Number: 2, Title: "The Tithe Barge", Status: gmc.SessionEnded, ScheduledAt: ago(7, 0), StartedAt: ago(7, 0), EndedAt: ago(7, 3*time.Hour),
				Notes: "Boarded the customs barge, found crates of lamp oil stamped with the Harbourmaster's seal. Brother Oswin fled.", CreatedAt: *ago(14, 5*time.Hour), UpdatedAt: *ago(7, 3*time.Hour)},
			{ID: "s3", Number: 3, Title: "Up the Lighthouse", Status: gmc.SessionScheduled, ScheduledAt: ago(-7, 0), CreatedAt: *ago(7, 4*time.Hour), UpdatedAt: *ago(7, 4*time.Hour)},
		},
		Characters:    characters(now),
		Achievements:  []gmc.BundleAchievement{{ID: "a1", CharacterID: "pc-wren", Title: "Fished a corpse from the bay", SessionID: ptr("s1"), AwardedAt: *ago(14, 3*time.Hour), CreatedAt: *ago(14, 3*time.Hour)}},
		Relationships: relationships(now),
		Locations:     locations(now),
		Plots:         plots(now),
		Dependencies: []gmc.BundleDependency{
			{PlotID: "p-lighthouse", DependsOnID: "p-smugglers", CreatedAt: now},
			{PlotID: "p-drowned", DependsOnID: "p-lighthouse", CreatedAt: now},
		},
		Foreshadowing: []gmc.BundleForeshadowing{
			{ID: "f1", PlotID: "p-smugglers", Description: "The lamp oil smells of brine, not whale fat.", PlantedSessionID: ptr("s1"), PlantedSessionNumber: 1,
				Revealed: true, RevealedSessionID: ptr("s2"), RevealedAt: ago(7, 2*time.Hour), CreatedAt: *ago(14, 0), UpdatedAt: *ago(7, 2*time.Hour)},
			{ID: "f2", PlotID: "p-drowned", Description: "Every drowned sailor wore the same tin lantern charm.", PlantedSessionID: ptr("s1"), PlantedSessionNumber: 1,
				CreatedAt: *ago(14, 0), UpdatedAt: *ago(14, 0)},
			{ID: "f3", PlotID: "p-lighthouse", Description: "Oswin hums a hymn no church in Saltmere sings.", PlantedSessionID: ptr("s2"), PlantedSessionNumber: 2,
				CreatedAt: *ago(7, 0), UpdatedAt: *ago(7, 0)},
		},
		Keywords: []gmc.BundleKeyword{
			{ID: "k1", Term: "Drowned Lantern", Aliases: []string{"the Lantern"}, Category: "faction", Visibility: gmc.VisibleGM, Notes: "The cult behind the smugglers.", CreatedAt: now, UpdatedAt: now},
		},
	}
	return b
}

func ptr(s string) *string { return &s }

func obj(kv ...string) json.RawMessage {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	b, _ := json.Marshal(m)
	return b
}

// character is a short form of a bundle character.
func character(id, name string, t gmc.CharacterType, vis gmc.Visibility, voice string, aliases []string, tags []string, notes, gmNotes json.RawMessage, now time.Time) gmc.BundleCharacter {
	return gmc.BundleCharacter{ID: id, Name: name, CharacterType: t, Visibility: vis, VoiceNotes: voice, Aliases: aliases, Tags: tags,
		Stats: obj(), Notes: notes, GMNotes: gmNotes, CreatedAt: now, UpdatedAt: now}
}

func characters(now time.Time) []gmc.BundleCharacter {
	pc, npc := gmc.CharacterPC, gmc.CharacterNPC
	all, gm := gmc.VisiblePlayers, gmc.VisibleGM
	// The PCs have no owner: players who join with an invite can take them.
	return []gmc.BundleCharacter{
		character("pc-wren", "Wren Ashdown", pc, all, "", []string{"Wren"}, []string{"party"}, obj("class", "Ranger 3", "background", "Fisher"), nil, now),
		character("pc-tobias", "Tobias Vell", pc, all, "", []string{"Toby"}, []string{"party"}, obj("class", "Cleric 3", "background", "Acolyte"), nil, now),
		character("pc-iska", "Iska of the Reeds", pc, all, "", []string{"Iska"}, []string{"party"}, obj("class", "Warlock 3", "background", "Outlander"), nil, now),
		character("npc-marla", "Marla Gull", npc, all, "Loud, laughs at her own jokes, calls everyone 'duck'.", []string{"Ma Gull"}, []string{"saltmere", "innkeeper"},
			obj("role", "Keeps the Gull & Anchor"), obj("secret", "Hides smuggled oil in her cellar, unwillingly."), now),
		character("npc-harbourmaster", "Harbourmaster Corvin Pike", npc, all, "Clipped, never finishes a sentence he can avoid.", []string{"Pike", "the Harbourmaster"}, []string{"saltmere", "authority"},
			obj("role", "Runs the port"), obj("secret", "Leader of the smuggling ring."), now),
		character("npc-oswin", "Brother Oswin", npc, all, "Whispers, hums hymns between words.", []string{"Oswin", "the Lamplighter"}, []string{"lighthouse"},
			obj("role", "Keeper of the lighthouse"), obj("secret", "A drowned-cult priest; he put the light out."), now),
		character("npc-sela", "Sela Thorn", npc, all, "Sharp, fast, uses sailors' slang.", []string{"Thorn"}, []string{"saltmere", "smuggler"},
			obj("role", "Barge captain"), obj("secret", "Wants out of the ring; will trade names for safety."), now),
		character("npc-abbot", "Abbot Hale", npc, all, "Warm baritone, quotes scripture.", nil, []string{"temple"}, obj("role", "Head of the Tidewatch temple"), nil, now),
		character("npc-dredge", "Dredge", npc, gm, "Gurgles; speaks only in questions.", []string{"the Thing Below"}, []string{"cult", "monster"},
			obj(), obj("secret", "The drowned god's herald. Appears in session 4 at the earliest."), now),
		character("npc-nell", "Little Nell", npc, all, "Child's voice, very serious.", []string{"Nell"}, []string{"saltmere"}, obj("role", "Street urchin, sees everything"), nil, now),
		character("npc-voss", "Captain Voss", npc, gm, "Gravelly, slow.", []string{"the Drowned Captain"}, []string{"cult", "undead"},
			obj(), obj("secret", "Captain of the ship lost when the light went out; now undead."), now),
		character("npc-ferris", "Ferris Mott", npc, all, "Nervous stammer.", []string{"Mott"}, []string{"saltmere", "clerk"}, obj("role", "Customs clerk"), nil, now),
	}
}

// relationship is a short form of a bundle relationship created at now.
func relationship(id, from, to, kind string, attitude int, vis gmc.Visibility, pair *string, desc string, now time.Time) gmc.BundleRelationship {
	return gmc.BundleRelationship{ID: id, SourceID: from, TargetID: to, Kind: kind, Attitude: attitude, Visibility: vis, PairID: pair, Description: desc,
		History: []gmc.BundleChange{{At: now, AttitudeAfter: attitude, Note: "created"}}, CreatedAt: now, UpdatedAt: now}
}

func relationships(now time.Time) []gmc.BundleRelationship {
	all, gm := gmc.VisiblePlayers, gmc.VisibleGM
	start := now.AddDate(0, 0, -20)
	rs := []gmc.BundleRelationship{
		relationship("r1", "pc-wren", "pc-tobias", gmc.KindAlly, 70, all, ptr("r2"), "Grew up on the same pier.", start),
		relationship("r2", "pc-tobias", "pc-wren", gmc.KindAlly, 70, all, ptr("r1"), "Grew up on the same pier.", start),
		relationship("r3", "npc-harbourmaster", "npc-sela", gmc.KindEmployer, 20, gm, nil, "Pays her to run the oil.", start),
		relationship("r4", "npc-sela", "npc-harbourmaster", gmc.KindRival, -40, gm, nil, "Wants him gone.", start),
		relationship("r5", "npc-oswin", "npc-dredge", gmc.KindMemberOf, 90, gm, nil, "Serves the Thing Below.", start),
		relationship("r6", "npc-marla", "pc-wren", "friend", 30, all, nil, "Gave her a room on credit.", start),
		relationship("r7", "npc-abbot", "npc-oswin", gmc.KindFamily, 50, all, ptr("r8"), "Brothers by blood.", start),
		relationship("r8", "npc-oswin", "npc-abbot", gmc.KindFamily, 50, all, ptr("r7"), "Brothers by blood.", start),
		relationship("r9", "npc-voss", "npc-oswin", gmc.KindEnemy, -90, gm, nil, "Oswin's dark light drowned his crew.", start),
		relationship("r10", "npc-nell", "pc-iska", gmc.KindAlly, 10, all, nil, "Follows Iska around.", start),
	}
	// Marla warmed to Wren, and Nell came to trust Iska: a history to browse.
	s1, s2 := now.AddDate(0, 0, -14), now.AddDate(0, 0, -7)
	rs[5].Attitude = 60
	rs[5].History = append(rs[5].History, gmc.BundleChange{At: s1, SessionID: ptr("s1"), AttitudeBefore: intPtr(30), AttitudeAfter: 60, Note: "Wren fished Marla's cousin out of the bay."})
	rs[9].Attitude = 55
	rs[9].History = append(rs[9].History,
		gmc.BundleChange{At: s1, SessionID: ptr("s1"), AttitudeBefore: intPtr(10), AttitudeAfter: 35, Note: "Iska shared her supper."},
		gmc.BundleChange{At: s2, SessionID: ptr("s2"), AttitudeBefore: intPtr(35), AttitudeAfter: 55, Note: "Iska kept the guards off her."})
	rs[5].UpdatedAt, rs[9].UpdatedAt = s1, s2
	return rs
}

func intPtr(i int) *int { return &i }

func locations(now time.Time) []gmc.BundleLocation {
	loc := func(id string, parent *string, name, kind, desc string, vis gmc.Visibility) gmc.BundleLocation {
		return gmc.BundleLocation{ID: id, ParentID: parent, Name: name, LocationType: kind, Description: desc, Metadata: obj(), Coordinates: obj(),
			Visibility: vis, CreatedAt: now, UpdatedAt: now}
	}
	all, gm := gmc.VisiblePlayers, gmc.VisibleGM
	return []gmc.BundleLocation{
		loc("l-coast", nil, "The Grey Coast", "region", "Cliffs, fog and fishing villages.", all),
		loc("l-saltmere", ptr("l-coast"), "Saltmere", "town", "A harbour town of 2,000 souls.", all),
		loc("l-gull", ptr("l-saltmere"), "The Gull & Anchor", "inn", "Marla's inn by the docks.", all),
		loc("l-harbour", ptr("l-saltmere"), "Harbour Office", "building", "Pike's office above the customs shed.", all),
		loc("l-temple", ptr("l-saltmere"), "Tidewatch Temple", "temple", "Abbot Hale's temple.", all),
		loc("l-lighthouse", ptr("l-coast"), "Saltmere Light", "lighthouse", "Dark since the new moon.", all),
		loc("l-lamp", ptr("l-lighthouse"), "The Lamp Room", "room", "Where the light should burn.", all),
		loc("l-grotto", ptr("l-lighthouse"), "The Drowned Grotto", "cave", "A sea cave below the lighthouse; the cult's shrine.", gm),
	}
}

func plots(now time.Time) []gmc.BundlePlot {
	s1, s2 := now.AddDate(0, 0, -14), now.AddDate(0, 0, -7)
	return []gmc.BundlePlot{
		{ID: "p-smugglers", Title: "The Oil Smugglers", Status: gmc.PlotActive, Progress: 60, Visibility: gmc.VisiblePlayers,
			Summary: "Someone is smuggling lamp oil through the customs barge.",
			Milestones: []gmc.Milestone{
				{ID: "m1", Title: "Find the smuggled crates", Done: true, Order: 1, DoneAt: &s1, DoneSessionID: ptr("s1")},
				{ID: "m2", Title: "Learn who stamped them", Done: true, Order: 2, DoneAt: &s2, DoneSessionID: ptr("s2")},
				{ID: "m3", Title: "Confront the Harbourmaster", Order: 3},
			},
			CharacterIDs: []string{"npc-harbourmaster", "npc-sela", "npc-ferris"}, LocationIDs: []string{"l-harbour"},
			LastTouchedSessionID: ptr("s2"), LastTouchedSessionNumber: 2, CreatedAt: now, UpdatedAt: now},
		{ID: "p-lighthouse", Title: "Why the Light Went Out", Status: gmc.PlotHook, Visibility: gmc.VisiblePlayers,
			Summary:      "Saltmere Light went dark; ships are wrecking on the rocks.",
			Milestones:   []gmc.Milestone{{ID: "m4", Title: "Climb to the lamp room", Order: 1}, {ID: "m5", Title: "Find Oswin's shrine", Order: 2}},
			CharacterIDs: []string{"npc-oswin"}, LocationIDs: []string{"l-lighthouse", "l-lamp"},
			LastTouchedSessionID: ptr("s1"), LastTouchedSessionNumber: 1, CreatedAt: now, UpdatedAt: now},
		{ID: "p-drowned", Title: "The Drowned Lantern", Status: gmc.PlotHook, Visibility: gmc.VisibleGM,
			Summary:      "A cult means to wake the Thing Below by drowning the town's light.",
			CharacterIDs: []string{"npc-dredge", "npc-voss", "npc-oswin"}, LocationIDs: []string{"l-grotto"},
			CreatedAt: now, UpdatedAt: now},
		{ID: "p-nell", Title: "Nell's Missing Brother", Status: gmc.PlotStalled, Progress: 20, Visibility: gmc.VisiblePlayers,
			Summary: "Nell's brother signed on to the barge and never came back.", CharacterIDs: []string{"npc-nell"},
			LastTouchedSessionID: ptr("s1"), LastTouchedSessionNumber: 1, CreatedAt: now, UpdatedAt: now},
	}
}
