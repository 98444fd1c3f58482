package service

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"sort"
	"strconv"
	"time"

	"github.com/gmc-project/gmc/internal/dndbeyond"
	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// Who may import from D&D Beyond:
//   - A GM imports any character into their campaign, as a PC with no
//     owner (they give it to a player with PATCH owner_id).
//   - A player imports their own PC: it is created with them as owner.
//   - Re-importing a D&D Beyond character the campaign already holds
//     updates that character, and is allowed to whoever may edit it (a GM,
//     or the player who owns the PC); others get 403 and nothing changes.
//   - Observers import nothing.
// The computed sheet goes to stats.sheet and the D&D Beyond id and sheet
// URL to stats.dndbeyond (other keys of stats stay); the
// name follows D&D Beyond's; everything else about the character is left
// as the campaign wrote it.

// DndBeyond fetches character documents from D&D Beyond's character
// service (package dndbeyond's Client).
type DndBeyond interface {
	Fetch(ctx context.Context, id int64) ([]byte, error)
}

// DndBeyondImport names the character to import: exactly one of URL,
// DndBeyondID and CharacterJSON.
type DndBeyondImport struct {
	CampaignID    string
	URL           string
	DndBeyondID   int64
	CharacterJSON json.RawMessage
}

// DndBeyondResult is the imported character and, on a re-import, what
// changed in its sheet.
type DndBeyondResult struct {
	Character   *gmc.Character `json:"character"`
	DndBeyondID int64          `json:"dndbeyond_id"`
	// Created is true when the import made a new character.
	Created bool `json:"created"`
	// Changes lists the fields of stats.sheet (and the name) that differ
	// from the previous import, by path; empty for a new character.
	Changes []SheetChange `json:"changes"`
}

// SheetChange is one changed field: its path in the sheet ("max_hp",
// "abilities.str.score", "spells.Fireball (class)") and its values before and
// after (null where it did not exist).
type SheetChange struct {
	Field string `json:"field"`
	Old   any    `json:"old"`
	New   any    `json:"new"`
}

// ImportDndBeyond imports or re-imports a D&D Beyond character (see the
// rules above). Whatever goes wrong — a private or unknown character, a
// malformed document, D&D Beyond not answering — changes nothing.
func (s *Service) ImportDndBeyond(ctx context.Context, userID string, in DndBeyondImport) (*DndBeyondResult, error) {
	m, err := s.access(ctx, in.CampaignID, userID, gmc.RolePlayer)
	if err != nil {
		return nil, err
	}
	doc, want, err := s.dndbeyondDocument(ctx, userID, in)
	if err != nil {
		return nil, err
	}
	ch, err := dndbeyond.Parse(doc)
	if err != nil {
		return nil, dndbeyondProblem(err, in.CharacterJSON != nil)
	}
	if want != 0 && ch.ID != want {
		return nil, gmc.Errorf(gmc.ErrInvalid, "dndbeyond_malformed", "D&D Beyond answered with character %d for %d", ch.ID, want)
	}
	sheet := dndbeyond.Compute(ch)
	link, err := s.store.DndBeyondLink(ctx, in.CampaignID, ch.ID)
	switch {
	case errors.Is(err, gmc.ErrNotFound):
		return s.createFromDndBeyond(ctx, m, ch, sheet, doc)
	case err != nil:
		return nil, err
	}
	c, cm, err := s.character(ctx, userID, link.CharacterID)
	if err != nil {
		return nil, err
	}
	if !mayEdit(c, cm) {
		return nil, gmc.Errorf(gmc.ErrForbidden, "role_too_low", "this campaign already holds D&D Beyond character %d as a PC that is not yours; only a GM or the PC's owner can re-import it", ch.ID)
	}
	return s.updateFromDndBeyond(ctx, userID, c, cm.Role, ch, sheet, doc)
}

// dndbeyondDocument returns the document to import and, when it was
// fetched, the id asked for.
func (s *Service) dndbeyondDocument(ctx context.Context, userID string, in DndBeyondImport) ([]byte, int64, error) {
	given := 0
	for _, set := range []bool{in.URL != "", in.DndBeyondID != 0, in.CharacterJSON != nil} {
		if set {
			given++
		}
	}
	if given != 1 {
		return nil, 0, gmc.Invalid("body", "give exactly one of url, dndbeyond_id and character_json")
	}
	if in.CharacterJSON != nil {
		// A document pasted into a text field arrives as a JSON string.
		var text string
		if json.Unmarshal(in.CharacterJSON, &text) == nil {
			return []byte(text), 0, nil
		}
		return in.CharacterJSON, 0, nil
	}
	id := in.DndBeyondID
	if in.URL != "" {
		var err error
		if id, err = dndbeyond.ParseRef(in.URL); err != nil {
			return nil, 0, gmc.Invalid("body.url", "%s", err.Error())
		}
	} else if id <= 0 {
		return nil, 0, gmc.Invalid("body.dndbeyond_id", "must be a positive number")
	}
	if s.dndbeyond == nil {
		return nil, 0, gmc.Errorf(gmc.ErrUnavailable, "dndbeyond_disabled", "this server does not fetch from D&D Beyond; send the character's JSON as character_json")
	}
	for _, r := range s.limits.DndBeyondFetch {
		d, err := s.limiter.Allow(ctx, r, userID)
		if err != nil {
			return nil, 0, err
		}
		if !d.Allowed {
			return nil, 0, limited(d)
		}
	}
	doc, err := s.dndbeyond.Fetch(ctx, id)
	if err != nil {
		return nil, 0, dndbeyondProblem(err, false)
	}
	return doc, id, nil
}

// dndbeyondProblem turns a dndbeyond error into the domain's; direct is
// true when the document came in the request.
func dndbeyondProblem(err error, direct bool) error {
	switch {
	case errors.Is(err, dndbeyond.ErrMalformed) && direct:
		return gmc.Invalid("body.character_json", "%s", err.Error())
	case errors.Is(err, dndbeyond.ErrMalformed):
		return gmc.Errorf(gmc.ErrInvalid, "dndbeyond_malformed", "D&D Beyond's answer is not a character document (%v)", err)
	case errors.Is(err, dndbeyond.ErrPrivate):
		return gmc.Errorf(gmc.ErrInvalid, "dndbeyond_private", "the character is not public on D&D Beyond; its owner must set its privacy to Public (%v)", err)
	case errors.Is(err, dndbeyond.ErrNotFound):
		return gmc.Errorf(gmc.ErrInvalid, "dndbeyond_not_found", "%v", err)
	case errors.Is(err, dndbeyond.ErrUnavailable):
		return gmc.Errorf(gmc.ErrUpstream, "dndbeyond_unavailable", "%v; try again later", err)
	}
	return err
}

func (s *Service) createFromDndBeyond(ctx context.Context, m *gmc.Member, ch *dndbeyond.Character, sheet *dndbeyond.Sheet, doc []byte) (*DndBeyondResult, error) {
	stats, err := withSheet(nil, ch.ID, sheet)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	c := &gmc.Character{ID: s.newID(), CampaignID: m.CampaignID, Name: dndbeyondName(ch), CharacterType: gmc.CharacterPC, Stats: stats,
		Visibility: gmc.VisiblePlayers, CreatedAt: now, UpdatedAt: now}
	if m.Role != gmc.RoleGM {
		c.OwnerID = &m.UserID
	}
	if err := s.checkCharacter(ctx, c, nil); err != nil {
		return nil, err
	}
	c.Version = 1
	link := &gmc.DndBeyondLink{CharacterID: c.ID, CampaignID: c.CampaignID, DndBeyondID: ch.ID, Document: doc, LinkedBy: m.UserID, SyncedAt: now}
	err = s.store.InTx(ctx, func(tx store.Store) error {
		ev := s.event(c.CampaignID, m.UserID, gmc.ActionCreate, gmc.EntityCharacter, c.ID, nil, map[string]any{"character": c, "dndbeyond_id": ch.ID})
		if err := tx.CreateCharacter(ctx, c, ev); err != nil {
			return err
		}
		return tx.PutDndBeyondLink(ctx, link)
	})
	if errors.Is(err, gmc.ErrConflict) {
		return nil, gmc.Errorf(gmc.ErrConflict, "dndbeyond_conflict", "D&D Beyond character %d was imported into this campaign at the same time; import it again to update it", ch.ID)
	} else if err != nil {
		return nil, err
	}
	s.changed(ctx, characterRef(c, gmc.ActionCreate))
	return &DndBeyondResult{Character: c.ForRole(m.Role), DndBeyondID: ch.ID, Created: true, Changes: []SheetChange{}}, nil
}

// updateFromDndBeyond writes a re-imported sheet and name over c.
func (s *Service) updateFromDndBeyond(ctx context.Context, actorID string, c *gmc.Character, role gmc.Role, ch *dndbeyond.Character, sheet *dndbeyond.Sheet, doc []byte) (*DndBeyondResult, error) {
	before := *c
	stats, err := withSheet(c.Stats, ch.ID, sheet)
	if err != nil {
		return nil, err
	}
	changes := sheetChanges(c.Stats, stats)
	if name := dndbeyondName(ch); name != c.Name {
		changes = append([]SheetChange{{Field: "name", Old: c.Name, New: name}}, changes...)
		c.Name = name
	}
	c.Stats = stats
	if err := s.checkCharacter(ctx, c, before.OwnerID); err != nil {
		return nil, err
	}
	now := s.clock()
	c.UpdatedAt = now
	link := &gmc.DndBeyondLink{CharacterID: c.ID, CampaignID: c.CampaignID, DndBeyondID: ch.ID, Document: doc, LinkedBy: actorID, SyncedAt: now}
	err = s.store.InTx(ctx, func(tx store.Store) error {
		if len(changes) > 0 {
			after := *c
			after.Version++
			ev := s.event(c.CampaignID, actorID, gmc.ActionUpdate, gmc.EntityCharacter, c.ID, before, map[string]any{"character": after, "dndbeyond_changes": changes})
			if err := tx.UpdateCharacter(ctx, c, ev); err != nil {
				return err
			}
		}
		return tx.PutDndBeyondLink(ctx, link)
	})
	if err != nil {
		*c = before
		return nil, err
	}
	if len(changes) > 0 {
		s.changed(ctx, characterRef(c, gmc.ActionUpdate))
	}
	return &DndBeyondResult{Character: c.ForRole(role), DndBeyondID: ch.ID, Changes: changes}, nil
}

func dndbeyondName(ch *dndbeyond.Character) string {
	if ch.Name != "" {
		return ch.Name
	}
	return "D&D Beyond character " + strconv.FormatInt(ch.ID, 10)
}

// withSheet returns stats with its "sheet" key set to sheet and its
// "dndbeyond" key to where the sheet comes from, every other key kept.
// Stats that are not an object are replaced.
func withSheet(stats json.RawMessage, id int64, sheet *dndbeyond.Sheet) (json.RawMessage, error) {
	doc := map[string]json.RawMessage{}
	if len(stats) > 0 {
		_ = json.Unmarshal(stats, &doc)
		if doc == nil {
			doc = map[string]json.RawMessage{}
		}
	}
	b, err := json.Marshal(sheet)
	if err != nil {
		return nil, err
	}
	doc["sheet"] = b
	if doc["dndbeyond"], err = json.Marshal(map[string]any{"id": id, "url": "https://www.dndbeyond.com/characters/" + strconv.FormatInt(id, 10)}); err != nil {
		return nil, err
	}
	return json.Marshal(doc)
}

// sheetChanges compares the sheets in two stats documents, leaf by leaf.
// Lists of named things (spells, inventory, classes) are compared by name,
// so one new spell is one change rather than a new list.
func sheetChanges(oldStats, newStats json.RawMessage) []SheetChange {
	old, cur := map[string]any{}, map[string]any{}
	flatten("", sheetOf(oldStats), old)
	flatten("", sheetOf(newStats), cur)
	var out []SheetChange
	for k, v := range cur {
		if o, ok := old[k]; !ok || !reflect.DeepEqual(o, v) {
			out = append(out, SheetChange{Field: k, Old: old[k], New: v})
		}
	}
	for k, v := range old {
		if _, ok := cur[k]; !ok {
			out = append(out, SheetChange{Field: k, Old: v})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	if out == nil {
		out = []SheetChange{}
	}
	return out
}

func sheetOf(stats json.RawMessage) any {
	var doc struct {
		Sheet any `json:"sheet"`
	}
	d := json.NewDecoder(bytes.NewReader(stats))
	d.UseNumber()
	if d.Decode(&doc) != nil {
		return nil
	}
	return doc.Sheet
}

func flatten(prefix string, v any, out map[string]any) {
	join := func(k string) string {
		if prefix == "" {
			return k
		}
		return prefix + "." + k
	}
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			flatten(join(k), x, out)
		}
	case []any:
		seen := map[string]int{}
		for i, x := range t {
			key := strconv.Itoa(i)
			if obj, ok := x.(map[string]any); ok {
				if name, ok := obj["name"].(string); ok {
					if src, ok := obj["source"].(string); ok {
						name += " (" + src + ")"
					}
					seen[name]++
					key = name
					if n := seen[name]; n > 1 {
						key = fmt.Sprintf("%s #%d", name, n)
					}
				}
			}
			out[join(key)] = x
		}
		if len(t) == 0 {
			out[prefix] = t
		}
	case nil:
		if prefix != "" {
			out[prefix] = nil
		}
	default:
		out[prefix] = t
	}
}

// DndBeyondSyncArgs is the periodic job that runs SyncDndBeyond.
type DndBeyondSyncArgs struct{}

// Kind names the job.
func (DndBeyondSyncArgs) Kind() string { return "dndbeyond.sync" }

// DndBeyondSyncReport counts what a sync did.
type DndBeyondSyncReport struct {
	Checked, Updated, Failed int
}

// SyncDndBeyond re-imports every linked character last synced before
// `before`, in the name of the member who linked it, waiting pause
// between fetches. A character that cannot be fetched (made private,
// deleted on D&D Beyond) is left as it is, and tried again at the next
// sync. It stops early, without error, when ctx ends or D&D Beyond stops
// answering (down, or limiting us): the rest waits for the next sync.
func (s *Service) SyncDndBeyond(ctx context.Context, before time.Time, pause time.Duration) (DndBeyondSyncReport, error) {
	var rep DndBeyondSyncReport
	if s.dndbeyond == nil || !s.instanceFeatureOn(gmc.FeatureDndBeyondSync) {
		return rep, nil
	}
	// A campaign's switch is read once per run per campaign.
	off := map[string]bool{}
	after := ""
	for {
		links, err := s.store.DndBeyondLinks(ctx, store.DndBeyondLinkFilter{SyncedBefore: before, AfterCharacterID: after, Limit: 100})
		if ctx.Err() != nil {
			// Ended (a shutdown, or the job's hour) while reading the
			// next page: like an end between fetches, no failure.
			return rep, nil
		} else if err != nil {
			return rep, err
		}
		for _, l := range links {
			if ctx.Err() != nil {
				return rep, nil
			}
			isOff, seen := off[l.CampaignID]
			if !seen {
				err := s.requireFeature(ctx, l.CampaignID, gmc.FeatureDndBeyondSync)
				if err != nil && !errors.Is(err, gmc.ErrFeatureDisabled) {
					return rep, err
				}
				isOff = err != nil
				off[l.CampaignID] = isOff
			}
			if isOff {
				continue
			}
			if rep.Checked > 0 && pause > 0 {
				select {
				case <-ctx.Done():
					return rep, nil
				case <-time.After(pause):
				}
			}
			rep.Checked++
			changed, err := s.syncDndBeyondLink(ctx, l)
			switch {
			case errors.Is(err, dndbeyond.ErrUnavailable):
				rep.Failed++
				s.log.Warn("D&D Beyond does not answer; the sync stops until the next run", slog.Int64("dndbeyond_id", l.DndBeyondID),
					slog.String("error", err.Error()))
				return rep, nil
			case err != nil:
				rep.Failed++
				s.log.Warn("D&D Beyond sync of a character failed; it stays as it was", slog.String("character_id", l.CharacterID),
					slog.Int64("dndbeyond_id", l.DndBeyondID), slog.String("error", err.Error()))
			case changed:
				rep.Updated++
			}
		}
		if len(links) < 100 {
			return rep, nil
		}
		after = links[len(links)-1].CharacterID
	}
}

func (s *Service) syncDndBeyondLink(ctx context.Context, l *gmc.DndBeyondLink) (bool, error) {
	doc, err := s.dndbeyond.Fetch(ctx, l.DndBeyondID)
	if err != nil {
		return false, err
	}
	ch, err := dndbeyond.Parse(doc)
	if err != nil {
		return false, err
	}
	if ch.ID != l.DndBeyondID {
		return false, fmt.Errorf("D&D Beyond answered with character %d", ch.ID)
	}
	c, err := s.store.Character(ctx, l.CharacterID)
	if err != nil {
		return false, err
	}
	res, err := s.updateFromDndBeyond(ctx, l.LinkedBy, c, gmc.RoleGM, ch, dndbeyond.Compute(ch), doc)
	if err != nil {
		return false, err
	}
	return len(res.Changes) > 0, nil
}
