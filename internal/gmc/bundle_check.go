package gmc

import (
	"errors"
	"fmt"
	"strings"
)

// Validate checks a bundle before anything of it is written: the format
// version, every entity's own rules, and that every reference points at
// an entity of the bundle. Problems are named by their path in the
// document ("body.relationships[3].target_id"), so an import either fails
// whole, before it starts, or has nothing left to trip over.
func (b *Bundle) Validate() error {
	var v Validator
	if b.FormatVersion != BundleFormatVersion {
		v.Add("body.format_version", "must be %d (this server reads version %d documents only)", BundleFormatVersion, BundleFormatVersion)
		return v.Err() // a document of another version may mean anything
	}
	c := Campaign{Name: b.Campaign.Name, Description: b.Campaign.Description, GameSystem: b.Campaign.GameSystem, Settings: b.Campaign.Settings}
	nest(&v, "body.campaign", c.Validate())
	for i, m := range b.Members {
		at := fmt.Sprintf("body.members[%d]", i)
		ValidateEmail(&v, at+".email", NormalizeEmail(m.Email))
		v.Check(m.Role.Valid(), at+".role", "must be one of gm, player, observer")
	}
	ids := b.indexIDs(&v)
	b.checkSessions(&v)
	b.checkCharacters(&v, ids)
	b.checkRelationships(&v, ids)
	b.checkLocations(&v, ids)
	b.checkPlots(&v, ids)
	b.checkKeywords(&v)
	return v.Err()
}

// bundleIDs are the ids of each kind of entity in a bundle.
type bundleIDs struct {
	sessions, characters, relationships, locations, plots map[string]int
}

// indexIDs records the ids of every kind, reporting empty and repeated ones.
func (b *Bundle) indexIDs(v *Validator) bundleIDs {
	index := func(kind string, n int, id func(int) string) map[string]int {
		seen := make(map[string]int, n)
		for i := range n {
			at := fmt.Sprintf("body.%s[%d].id", kind, i)
			switch s := id(i); {
			case s == "":
				v.Add(at, "is required")
			case seen[s] > 0:
				v.Add(at, "repeats the id of %s[%d]", kind, seen[s]-1)
			default:
				seen[s] = i + 1
			}
		}
		return seen
	}
	ids := bundleIDs{
		sessions:      index("sessions", len(b.Sessions), func(i int) string { return b.Sessions[i].ID }),
		characters:    index("characters", len(b.Characters), func(i int) string { return b.Characters[i].ID }),
		relationships: index("relationships", len(b.Relationships), func(i int) string { return b.Relationships[i].ID }),
		locations:     index("locations", len(b.Locations), func(i int) string { return b.Locations[i].ID }),
		plots:         index("plots", len(b.Plots), func(i int) string { return b.Plots[i].ID }),
	}
	index("achievements", len(b.Achievements), func(i int) string { return b.Achievements[i].ID })
	index("foreshadowing", len(b.Foreshadowing), func(i int) string { return b.Foreshadowing[i].ID })
	index("keywords", len(b.Keywords), func(i int) string { return b.Keywords[i].ID })
	return ids
}

// ref reports a reference at location to an id that is not among ids.
func ref(v *Validator, location string, ids map[string]int, id *string, what string) {
	if id != nil && ids[*id] == 0 {
		v.Add(location, "refers to %s %q, which is not in the document", what, *id)
	}
}

func (b *Bundle) checkSessions(v *Validator) {
	numbers, live := map[int]bool{}, 0
	for i, s := range b.Sessions {
		at := fmt.Sprintf("body.sessions[%d]", i)
		gs := GameSession{Title: s.Title, Notes: s.Notes, Status: s.Status}
		nest(v, at, gs.Validate())
		v.Check(s.Number >= 1 && !numbers[s.Number], at+".number", "must be a positive number no other session has")
		numbers[s.Number] = true
		if s.Status == SessionLive {
			live++
			v.Check(live == 1, at+".status", "only one session may be live")
		}
	}
}

func (b *Bundle) checkCharacters(v *Validator, ids bundleIDs) {
	for i, bc := range b.Characters {
		at := fmt.Sprintf("body.characters[%d]", i)
		c := Character{Name: bc.Name, CharacterType: bc.CharacterType, Stats: bc.Stats, Notes: bc.Notes, GMNotes: bc.GMNotes,
			VoiceNotes: bc.VoiceNotes, Aliases: bc.Aliases, Tags: bc.Tags, Visibility: bc.Visibility, OwnerID: bc.OwnerEmail}
		c.Normalize()
		nest(v, at, c.Validate())
	}
	for i, a := range b.Achievements {
		at := fmt.Sprintf("body.achievements[%d]", i)
		nest(v, at, (&Achievement{Title: a.Title, Description: a.Description}).Validate())
		ref(v, at+".character_id", ids.characters, &a.CharacterID, "character")
		ref(v, at+".session_id", ids.sessions, a.SessionID, "session")
	}
}

func (b *Bundle) checkRelationships(v *Validator, ids bundleIDs) {
	for i, br := range b.Relationships {
		at := fmt.Sprintf("body.relationships[%d]", i)
		r := Relationship{SourceID: br.SourceID, TargetID: br.TargetID, Kind: br.Kind, Attitude: br.Attitude, Description: br.Description, Visibility: br.Visibility}
		nest(v, at, r.Validate())
		ref(v, at+".source_id", ids.characters, &br.SourceID, "character")
		ref(v, at+".target_id", ids.characters, &br.TargetID, "character")
		if br.PairID != nil {
			n := ids.relationships[*br.PairID]
			ok := n > 0 && b.Relationships[n-1].PairID != nil && *b.Relationships[n-1].PairID == br.ID &&
				b.Relationships[n-1].SourceID == br.TargetID && b.Relationships[n-1].TargetID == br.SourceID
			v.Check(ok, at+".pair_id", "must name the reverse edge of the document, which names this one back")
		}
		v.Check(len(br.History) > 0, at+".history", "must record at least the creation")
		for j, h := range br.History {
			hat := fmt.Sprintf("%s.history[%d]", at, j)
			ref(v, hat+".session_id", ids.sessions, h.SessionID, "session")
			ValidateNote(v, hat+".note", h.Note)
		}
	}
}

func (b *Bundle) checkLocations(v *Validator, ids bundleIDs) {
	for i, bl := range b.Locations {
		at := fmt.Sprintf("body.locations[%d]", i)
		l := Location{Name: bl.Name, LocationType: bl.LocationType, Description: bl.Description, Metadata: bl.Metadata, Coordinates: bl.Coordinates, Visibility: bl.Visibility}
		l.Normalize()
		nest(v, at, l.Validate())
		ref(v, at+".parent_id", ids.locations, bl.ParentID, "location")
	}
	for i := range b.Locations {
		if d := b.LocationDepth(i, ids.locations); d < 0 {
			v.Add(fmt.Sprintf("body.locations[%d].parent_id", i), "makes the location its own ancestor")
		} else if d > MaxLocationDepth {
			v.Add(fmt.Sprintf("body.locations[%d].parent_id", i), "puts the location deeper than %d levels", MaxLocationDepth)
		}
	}
}

// LocationDepth returns the depth of location i (1 for a root) following
// parent ids through index (id → position+1), or -1 when its ancestry
// loops. A missing parent ends the walk as if it were a root.
func (b *Bundle) LocationDepth(i int, index map[string]int) int {
	depth := 1
	for p := b.Locations[i].ParentID; p != nil && index[*p] > 0; p = b.Locations[index[*p]-1].ParentID {
		if depth++; depth > len(b.Locations)+1 {
			return -1
		}
	}
	return depth
}

func (b *Bundle) checkPlots(v *Validator, ids bundleIDs) {
	for i, bp := range b.Plots {
		at := fmt.Sprintf("body.plots[%d]", i)
		p := PlotThread{Title: bp.Title, Summary: bp.Summary, Status: bp.Status, Progress: bp.Progress, Milestones: append([]Milestone(nil), bp.Milestones...),
			CharacterIDs: bp.CharacterIDs, LocationIDs: bp.LocationIDs, Visibility: bp.Visibility}
		p.Normalize()
		nest(v, at, p.Validate())
		for j, id := range bp.CharacterIDs {
			ref(v, fmt.Sprintf("%s.character_ids[%d]", at, j), ids.characters, &id, "character")
		}
		for j, id := range bp.LocationIDs {
			ref(v, fmt.Sprintf("%s.location_ids[%d]", at, j), ids.locations, &id, "location")
		}
		ref(v, at+".last_touched_session_id", ids.sessions, bp.LastTouchedSessionID, "session")
		for j, m := range bp.Milestones {
			ref(v, fmt.Sprintf("%s.milestones[%d].done_session_id", at, j), ids.sessions, m.DoneSessionID, "session")
		}
	}
	b.checkDependencies(v, ids)
	for i, f := range b.Foreshadowing {
		at := fmt.Sprintf("body.foreshadowing[%d]", i)
		nest(v, at, (&Foreshadowing{Description: f.Description, Revealed: f.Revealed, RevealedSessionID: f.RevealedSessionID, RevealedAt: f.RevealedAt}).Validate())
		ref(v, at+".plot_id", ids.plots, &f.PlotID, "plot thread")
		ref(v, at+".planted_session_id", ids.sessions, f.PlantedSessionID, "session")
		ref(v, at+".revealed_session_id", ids.sessions, f.RevealedSessionID, "session")
	}
}

// checkDependencies checks the references of every edge and that together
// they form a DAG, as AddPlotDependency would insist one edge at a time.
func (b *Bundle) checkDependencies(v *Validator, ids bundleIDs) {
	edges, seen := map[string][]string{}, map[[2]string]bool{}
	for i, d := range b.Dependencies {
		at := fmt.Sprintf("body.plot_dependencies[%d]", i)
		ref(v, at+".plot_id", ids.plots, &d.PlotID, "plot thread")
		ref(v, at+".depends_on_id", ids.plots, &d.DependsOnID, "plot thread")
		key := [2]string{d.PlotID, d.DependsOnID}
		switch {
		case seen[key]:
			v.Add(at, "repeats an earlier dependency")
		case DependencyPath(edges, d.DependsOnID, d.PlotID) != nil:
			v.Add(at+".depends_on_id", "closes a cycle of dependencies")
		default:
			edges[d.PlotID] = append(edges[d.PlotID], d.DependsOnID)
		}
		seen[key] = true
	}
}

func (b *Bundle) checkKeywords(v *Validator) {
	terms := map[string]bool{}
	for i, bk := range b.Keywords {
		at := fmt.Sprintf("body.keywords[%d]", i)
		k := Keyword{Term: bk.Term, Aliases: bk.Aliases, Category: bk.Category, Visibility: bk.Visibility, Common: bk.Common, Notes: bk.Notes}
		k.Normalize()
		nest(v, at, k.Validate())
		v.Check(!terms[k.TermKey()], at+".term", "repeats the term of an earlier keyword")
		terms[k.TermKey()] = true
	}
}

// nest adds the field errors of err, found at "body.x" of one entity, as
// errors at prefix+".x" of the document.
func nest(v *Validator, prefix string, err error) {
	var ve *ValidationError
	if !errors.As(err, &ve) {
		return
	}
	for _, f := range ve.Fields {
		v.Add(prefix+strings.TrimPrefix(f.Location, "body"), "%s", f.Message)
	}
}
