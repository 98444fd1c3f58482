package service_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/dndbeyond"
	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/service"
)

// ddbDoc is a small character document as D&D Beyond's service answers
// it: a level 3 fighter, with extra fields of the character appended.
func ddbDoc(id int64, name, extra string) []byte {
	return fmt.Appendf(nil, `{"success":true,"data":{"id":%d,"name":%q,"classes":[{"id":1,"level":3,"definition":{"name":"Fighter"}}]%s}}`, id, name, extra)
}

// ddbStub stands for D&D Beyond's character service: it answers each id
// with a document or an error, and counts what it was asked.
type ddbStub struct {
	mu    sync.Mutex
	docs  map[int64][]byte
	errs  map[int64]error
	asked map[int64]int
	// during runs inside every fetch.
	during func(id int64)
}

func newDDBStub() *ddbStub {
	return &ddbStub{docs: map[int64][]byte{}, errs: map[int64]error{}, asked: map[int64]int{}}
}

func (s *ddbStub) Fetch(ctx context.Context, id int64) ([]byte, error) {
	s.mu.Lock()
	s.asked[id]++
	doc, err, during := s.docs[id], s.errs[id], s.during
	s.mu.Unlock()
	if during != nil {
		during(id)
	}
	if err != nil {
		return nil, err
	}
	if doc == nil {
		return nil, fmt.Errorf("%w: character %d", dndbeyond.ErrNotFound, id)
	}
	return doc, nil
}

func (s *ddbStub) set(id int64, doc []byte, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.docs[id], s.errs[id] = doc, err
}

func (s *ddbStub) times(id int64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.asked[id]
}

// ddbService is a service on tb's store that fetches from fetch (none when
// nil), with features off on the whole server.
func ddbService(t *testing.T, tb *table, fetch service.DndBeyond, off ...gmc.Feature) *service.Service {
	t.Helper()
	svc, err := service.New(service.Config{Store: tb.st, SecretKey: bytes.Repeat([]byte("k"), 32), DndBeyond: fetch, DisabledFeatures: off,
		PasswordParams: &service.PasswordParams{Time: 1, MemoryKiB: 1024, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// TestDndBeyondImportRefusals: what an import is refused for, naming the
// field or saying why, and that a refused import writes nothing.
func TestDndBeyondImportRefusals(t *testing.T) {
	t.Parallel()
	for _, be := range storeBackends {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			tb := newTable(t, be.open(t))
			stub := newDDBStub()
			svc := ddbService(t, tb, stub)
			gm, cid := tb.gm.ID, tb.campaign.ID
			long := strings.Repeat("N", gmc.MaxNameLen+1)
			stub.set(501, ddbDoc(501, "Fenna", ""), nil)
			fenna := ok(svc.ImportDndBeyond(ctx, gm, service.DndBeyondImport{CampaignID: cid, DndBeyondID: 501}))(t)
			stub.set(501, ddbDoc(501, long, ""), nil)
			stub.set(502, ddbDoc(502, long, ""), nil)

			before := latestEvent(t, tb.st, cid)
			for _, tc := range []struct {
				name  string
				svc   *service.Service
				in    service.DndBeyondImport
				field string
				code  string
			}{
				{"negative id", svc, service.DndBeyondImport{DndBeyondID: -3}, "body.dndbeyond_id", ""},
				{"a name longer than a character's", svc, service.DndBeyondImport{DndBeyondID: 502}, "body.name", ""},
				{"re-import with a name longer than a character's", svc, service.DndBeyondImport{DndBeyondID: 501}, "body.name", ""},
				// A server that does not fetch says so, and what to send instead.
				{"server that does not fetch", tb.svc, service.DndBeyondImport{DndBeyondID: 501}, "", "dndbeyond_disabled"},
			} {
				tc.in.CampaignID = cid
				_, err := tc.svc.ImportDndBeyond(ctx, gm, tc.in)
				var ge *gmc.Error
				switch {
				case tc.field != "":
					wantField(t, err, tc.field)
				case !errors.As(err, &ge) || ge.Code != tc.code || !errors.Is(err, gmc.ErrUnavailable):
					t.Errorf("%s: error = %v, want %s", tc.name, err, tc.code)
				}
			}
			if latestEvent(t, tb.st, cid) != before {
				t.Error("a refused import wrote to the campaign")
			}
			if c := ok(svc.Character(ctx, gm, fenna.Character.ID))(t); c.Name != "Fenna" || c.Version != 1 {
				t.Errorf("character after a refused re-import = %q v%d, want Fenna v1", c.Name, c.Version)
			}
			// A player importing a character the campaign holds hidden from
			// players finds no such character, and no second one is made.
			hidden := ok(svc.ImportDndBeyond(ctx, gm, service.DndBeyondImport{CampaignID: cid, CharacterJSON: ddbDoc(504, "Strahd", "")}))(t)
			gmOnly := gmc.VisibleGM
			ok(svc.UpdateCharacter(ctx, gm, hidden.Character.ID, service.CharacterUpdate{Visibility: &gmOnly}))(t)
			mark := latestEvent(t, tb.st, cid)
			if _, err := svc.ImportDndBeyond(ctx, tb.player.ID, service.DndBeyondImport{CampaignID: cid, CharacterJSON: ddbDoc(504, "Strahd", "")}); !errors.Is(err, gmc.ErrNotFound) {
				t.Errorf("player importing a hidden character = %v, want not found", err)
			}
			if latestEvent(t, tb.st, cid) != mark {
				t.Error("a player's refused import of a hidden character wrote to the campaign")
			}
			// The document itself is imported by a server that does not fetch.
			r := ok(tb.svc.ImportDndBeyond(ctx, gm, service.DndBeyondImport{CampaignID: cid, CharacterJSON: ddbDoc(503, "", "")}))(t)
			if !r.Created || r.Character.Name != "D&D Beyond character 503" {
				t.Errorf("import of a nameless character = created %v, name %q; want it named after its id", r.Created, r.Character.Name)
			}
		})
	}
}

// TestDndBeyondReimportListsHandEdits: the GM's edits of an imported sheet
// are what a re-import lists as changed, fields they added as removed.
func TestDndBeyondReimportListsHandEdits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tb := newTable(t, storeBackends[0].open(t))
	stub := newDDBStub()
	svc := ddbService(t, tb, stub)
	stub.set(601, ddbDoc(601, "Vex", `,"customItems":[{"name":"Rope","quantity":1}]`), nil)
	imp := ok(svc.ImportDndBeyond(ctx, tb.gm.ID, service.DndBeyondImport{CampaignID: tb.campaign.ID, DndBeyondID: 601}))(t)

	var stats map[string]map[string]any
	if err := json.Unmarshal(imp.Character.Stats, &stats); err != nil {
		t.Fatal(err)
	}
	maxHP := stats["sheet"]["max_hp"]
	stats["sheet"]["max_hp"] = nil
	stats["sheet"]["homebrew"] = "cursed"
	edited, _ := json.Marshal(stats)
	raw := json.RawMessage(edited)
	ok(svc.UpdateCharacter(ctx, tb.gm.ID, imp.Character.ID, service.CharacterUpdate{Stats: &raw}))(t)

	// The rope was sold on D&D Beyond meanwhile.
	stub.set(601, ddbDoc(601, "Vex", ""), nil)
	r := ok(svc.ImportDndBeyond(ctx, tb.gm.ID, service.DndBeyondImport{CampaignID: tb.campaign.ID, DndBeyondID: 601}))(t)
	got := map[string][2]any{}
	for _, c := range r.Changes {
		got[c.Field] = [2]any{c.Old, c.New}
	}
	rope, _ := got["inventory.Rope"][0].(map[string]any)
	want := map[string][2]any{
		"homebrew": {"cursed", nil},
		"max_hp":   {nil, json.Number(fmt.Sprint(maxHP))},
		// The list of items is empty now, where it held the rope.
		"inventory":      {nil, []any{}},
		"inventory.Rope": {rope, nil},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) || rope["name"] != "Rope" || rope["type"] != "Custom" {
		t.Errorf("changes = %v\nwant %v", got, want)
	}
	// Nothing changed since: nothing listed (an empty inventory included).
	r = ok(svc.ImportDndBeyond(ctx, tb.gm.ID, service.DndBeyondImport{CampaignID: tb.campaign.ID, DndBeyondID: 601}))(t)
	if len(r.Changes) != 0 {
		t.Errorf("changes of an unchanged re-import = %v", r.Changes)
	}
}

// TestDndBeyondSyncSwitchesAndStops: the sync does nothing when it is
// switched off on the server, skips campaigns that switched it off, waits
// between fetches, stops when its context ends, and counts characters it
// cannot use as failed.
func TestDndBeyondSyncSwitchesAndStops(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tb := newTable(t, storeBackends[0].open(t))
	stub := newDDBStub()
	svc := ddbService(t, tb, stub)
	gm := tb.gm.ID
	off := ok(tb.svc.CreateCampaign(ctx, gm, service.CampaignParams{Name: "No sync here"}))(t)
	imports := map[int64]string{701: tb.campaign.ID, 702: tb.campaign.ID, 703: off.ID}
	chars := map[int64]string{}
	for id, cid := range imports {
		stub.set(id, ddbDoc(id, fmt.Sprint("PC ", id), ""), nil)
		chars[id] = ok(svc.ImportDndBeyond(ctx, gm, service.DndBeyondImport{CampaignID: cid, DndBeyondID: id}))(t).Character.ID
	}
	settings := off.Settings
	settings.DisabledFeatures = []gmc.Feature{gmc.FeatureDndBeyondSync}
	ok(tb.svc.UpdateCampaign(ctx, gm, off.ID, service.CampaignUpdate{Settings: &settings}))(t)
	due := time.Now().Add(time.Hour)
	asked := func() int { return stub.times(701) + stub.times(702) + stub.times(703) }

	// Off on the server: nothing is fetched.
	start := asked()
	if rep, err := ddbService(t, tb, stub, gmc.FeatureDndBeyondSync).SyncDndBeyond(ctx, due, 0); err != nil || rep != (service.DndBeyondSyncReport{}) || asked() != start {
		t.Errorf("sync switched off on the server = %+v, %v, %d fetches", rep, err, asked()-start)
	}
	// The campaign that switched it off is skipped; the others wait a
	// moment between fetches.
	rep, err := svc.SyncDndBeyond(ctx, due, time.Millisecond)
	if err != nil || rep.Checked != 2 || rep.Failed != 0 || stub.times(703) != 1 {
		t.Errorf("sync = %+v, %v; 703 asked %d times; want 2 checked and 703 only at its import", rep, err, stub.times(703))
	}

	// Ended while waiting between fetches: it stops there, without error.
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	began := time.Now()
	rep, err = svc.SyncDndBeyond(short, due, time.Hour)
	if err != nil || rep.Checked != 1 || time.Since(began) > 10*time.Second {
		t.Errorf("sync ended while waiting = %+v, %v after %v; want 1 checked, no error", rep, err, time.Since(began))
	}

	// Ended before it began (the job runner shutting down): nothing is
	// asked for, and that is no failure.
	gone, end := context.WithCancel(ctx)
	end()
	start = asked()
	if rep, err := svc.SyncDndBeyond(gone, due, 0); err != nil || rep.Checked != 0 || asked() != start {
		t.Errorf("sync with its context ended = %+v, %v, %d fetches; want nothing, no error", rep, err, asked()-start)
	}

	// Ended during a fetch: the next character is not asked for.
	stopped, stop := context.WithCancel(ctx)
	stub.mu.Lock()
	stub.during = func(int64) { stop() }
	stub.mu.Unlock()
	start = asked()
	rep, err = svc.SyncDndBeyond(stopped, due, 0)
	if err != nil || rep.Checked != 1 || asked() != start+1 {
		t.Errorf("sync ended during a fetch = %+v, %v, %d fetches; want 1", rep, err, asked()-start)
	}
	stub.mu.Lock()
	stub.during = nil
	stub.mu.Unlock()

	// D&D Beyond answers with another character, or with no character:
	// both fail, and both characters stay as they were.
	stub.set(701, ddbDoc(999, "Someone else", ""), nil)
	stub.set(702, []byte(`{"success":true,"data":{"id":702}}`), nil)
	rep, err = svc.SyncDndBeyond(ctx, due, 0)
	if err != nil || rep.Checked != 2 || rep.Failed != 2 || rep.Updated != 0 {
		t.Errorf("sync of unusable answers = %+v, %v; want 2 checked, 2 failed", rep, err)
	}
	for _, id := range []int64{701, 702} {
		if c := ok(svc.Character(ctx, gm, chars[id]))(t); c.Name != fmt.Sprint("PC ", id) || c.Version != 1 {
			t.Errorf("character of %d after failed syncs = %q v%d, want as imported", id, c.Name, c.Version)
		}
	}
}

// TestDndBeyondSyncPages: a sync goes through more linked characters than
// one page of links holds.
func TestDndBeyondSyncPages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tb := newTable(t, storeBackends[0].open(t))
	stub := newDDBStub()
	svc := ddbService(t, tb, stub)
	const n = 101 // the sync reads links 100 at a time
	for id := int64(1000); id < 1000+n; id++ {
		stub.set(id, ddbDoc(id, fmt.Sprint("PC ", id), ""), nil)
		ok(svc.ImportDndBeyond(ctx, tb.gm.ID, service.DndBeyondImport{CampaignID: tb.campaign.ID, CharacterJSON: ddbDoc(id, fmt.Sprint("PC ", id), "")}))(t)
	}
	stub.set(1000+n-1, ddbDoc(1000+n-1, "Renamed", ""), nil)
	rep, err := svc.SyncDndBeyond(ctx, time.Now().Add(time.Hour), 0)
	if err != nil || rep.Checked != n || rep.Updated != 1 || rep.Failed != 0 {
		t.Errorf("sync of %d links = %+v, %v; want all checked, 1 updated", n, rep, err)
	}
}
