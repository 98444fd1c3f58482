package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

var errTxTest = errors.New("the unit of work gives up")

// txWorld is one campaign whose characters a test creates through a
// transaction, remembered by name to be looked for afterwards.
type txWorld struct {
	t     *testing.T
	c     *gmc.Campaign
	byKey map[string]*gmc.Character
}

// create stores a character named name through s (a transaction's Store).
func (w *txWorld) create(ctx context.Context, s store.Store, name string) error {
	ch := newCharacter(w.t, w.c, name)
	w.byKey[name] = ch
	return s.CreateCharacter(ctx, ch, newEvent(w.t, w.c.ID, w.c.CreatedBy, gmc.ActionCreate, "character", ch.ID, ch))
}

// present reports whether every trace of the named character is in s: its
// row, its audit event and its search document, each seen through the
// ordinary read methods.
func (w *txWorld) present(ctx context.Context, s store.Store, name string) (row, event, found bool) {
	w.t.Helper()
	ch := w.byKey[name]
	_, err := s.Character(ctx, ch.ID)
	if err != nil && !errors.Is(err, gmc.ErrNotFound) {
		w.t.Fatalf("Character(%s) = %v", name, err)
	}
	row = err == nil
	events, _, err := s.Events(ctx, store.EventFilter{CampaignID: w.c.ID, EntityID: ch.ID, Page: gmc.Page{Limit: 10}})
	wantErr(w.t, "Events", err, nil)
	for _, hit := range searchFor(w.t, s, campaignSearch(w.c, true, name)) {
		found = found || strings.HasPrefix(hit, name+"/")
	}
	return row, len(events) > 0, found
}

// wantPresent fails unless the named character is wholly in s (want) or
// wholly absent from it.
func (w *txWorld) wantPresent(ctx context.Context, s store.Store, name string, want bool) {
	w.t.Helper()
	row, event, found := w.present(ctx, s, name)
	if row != want || event != want || found != want {
		w.t.Errorf("%s: row %v, audit event %v, search document %v; want all %v", name, row, event, found, want)
	}
}

func testTx(t *testing.T, open OpenFunc) {
	tests := []struct {
		name string
		// run does its work through s.InTx and returns what InTx returned.
		run func(ctx context.Context, s store.Store, w *txWorld) error
		// fails says InTx must fail; is, when set, is the error it must wrap.
		fails bool
		is    error
		kept  []string
		gone  []string
	}{
		{
			name: "CommitKeepsEveryWrite",
			run: func(ctx context.Context, s store.Store, w *txWorld) error {
				return s.InTx(ctx, func(tx store.Store) error {
					return errors.Join(w.create(ctx, tx, "Quillon Ashvane"), w.create(ctx, tx, "Mirabel Tosk"))
				})
			},
			kept: []string{"Quillon Ashvane", "Mirabel Tosk"},
		},
		{
			name: "ErrorRollsBackEveryWrite",
			run: func(ctx context.Context, s store.Store, w *txWorld) error {
				return s.InTx(ctx, func(tx store.Store) error {
					if err := errors.Join(w.create(ctx, tx, "Quillon Ashvane"), w.create(ctx, tx, "Mirabel Tosk")); err != nil {
						return err
					}
					return errTxTest
				})
			},
			fails: true, is: errTxTest,
			gone: []string{"Quillon Ashvane", "Mirabel Tosk"},
		},
		{
			name: "ReadsInsideSeeTheWritesAndOthersDoNot",
			run: func(ctx context.Context, s store.Store, w *txWorld) error {
				return s.InTx(ctx, func(tx store.Store) error {
					if err := w.create(ctx, tx, "Quillon Ashvane"); err != nil {
						return err
					}
					w.wantPresent(ctx, tx, "Quillon Ashvane", true)
					w.wantPresent(ctx, s, "Quillon Ashvane", false)
					return nil
				})
			},
			kept: []string{"Quillon Ashvane"},
		},
		{
			name: "NestedJoinsTheOuterRollback",
			run: func(ctx context.Context, s store.Store, w *txWorld) error {
				return s.InTx(ctx, func(tx store.Store) error {
					if err := w.create(ctx, tx, "Quillon Ashvane"); err != nil {
						return err
					}
					if err := tx.InTx(ctx, func(inner store.Store) error { return w.create(ctx, inner, "Mirabel Tosk") }); err != nil {
						return err
					}
					w.wantPresent(ctx, tx, "Mirabel Tosk", true)
					w.wantPresent(ctx, s, "Mirabel Tosk", false)
					return errTxTest
				})
			},
			fails: true, is: errTxTest,
			gone: []string{"Quillon Ashvane", "Mirabel Tosk"},
		},
		{
			name: "NestedErrorUndoesOnlyItsOwnWrites",
			run: func(ctx context.Context, s store.Store, w *txWorld) error {
				return s.InTx(ctx, func(tx store.Store) error {
					if err := w.create(ctx, tx, "Quillon Ashvane"); err != nil {
						return err
					}
					err := tx.InTx(ctx, func(inner store.Store) error {
						if err := w.create(ctx, inner, "Mirabel Tosk"); err != nil {
							return err
						}
						return errTxTest
					})
					if !errors.Is(err, errTxTest) {
						t.Errorf("nested InTx = %v, want %v", err, errTxTest)
					}
					return w.create(ctx, tx, "Orsolya Fenn")
				})
			},
			kept: []string{"Quillon Ashvane", "Orsolya Fenn"},
			gone: []string{"Mirabel Tosk"},
		},
		{
			// A failed statement aborts a PostgreSQL transaction; the method
			// must undo its own part and leave the transaction usable.
			name: "FailedMethodUndoesItsOwnWritesOnly",
			run: func(ctx context.Context, s store.Store, w *txWorld) error {
				return s.InTx(ctx, func(tx store.Store) error {
					if err := w.create(ctx, tx, "Quillon Ashvane"); err != nil {
						return err
					}
					first := newCharacter(t, w.c, "Mirabel Tosk")
					taken := newCharacter(t, w.c, "Orsolya Fenn")
					taken.ID = w.byKey["Quillon Ashvane"].ID
					w.byKey["Mirabel Tosk"] = first
					err := tx.CreateCharacters(ctx, []*gmc.Character{first, taken}, newEvent(t, w.c.ID, w.c.CreatedBy, gmc.ActionCreate, "character", first.ID, nil))
					if !errors.Is(err, gmc.ErrConflict) {
						t.Errorf("CreateCharacters(taken id) = %v, want ErrConflict", err)
					}
					w.wantPresent(ctx, tx, "Mirabel Tosk", false)
					return w.create(ctx, tx, "Ysolde Marr")
				})
			},
			kept: []string{"Quillon Ashvane", "Ysolde Marr"},
			gone: []string{"Mirabel Tosk"},
		},
		{
			name: "CancelledContextRollsBack",
			run: func(ctx context.Context, s store.Store, w *txWorld) error {
				ctx, cancel := context.WithCancel(ctx)
				defer cancel()
				return s.InTx(ctx, func(tx store.Store) error {
					if err := w.create(ctx, tx, "Quillon Ashvane"); err != nil {
						return err
					}
					cancel()
					return nil
				})
			},
			fails: true,
			gone:  []string{"Quillon Ashvane"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s := open(t)
			w := &txWorld{t: t, c: mustCreateCampaign(t, s, mustCreateUser(t, s, "gm@example.com"), "C"), byKey: map[string]*gmc.Character{}}
			err := tt.run(ctx, s, w)
			switch {
			case tt.fails && err == nil:
				t.Fatal("InTx = nil, want an error")
			case !tt.fails && err != nil:
				t.Fatalf("InTx = %v, want no error", err)
			case tt.is != nil && !errors.Is(err, tt.is):
				t.Fatalf("InTx = %v, want %v", err, tt.is)
			}
			for _, name := range tt.kept {
				w.wantPresent(ctx, s, name, true)
			}
			for _, name := range tt.gone {
				w.wantPresent(ctx, s, name, false)
			}
		})
	}
	t.Run("PanicRollsBackAndPanicsOn", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		s := open(t)
		w := &txWorld{t: t, c: mustCreateCampaign(t, s, mustCreateUser(t, s, "gm@example.com"), "C"), byKey: map[string]*gmc.Character{}}
		recovered := func() (p any) {
			defer func() { p = recover() }()
			_ = s.InTx(ctx, func(tx store.Store) error {
				if err := w.create(ctx, tx, "Quillon Ashvane"); err != nil {
					t.Fatal(err)
				}
				panic(errTxTest)
			})
			return nil
		}()
		if recovered != errTxTest {
			t.Fatalf("recovered %v, want the panic of fn", recovered)
		}
		w.wantPresent(ctx, s, "Quillon Ashvane", false)
		// The store is usable afterwards: the writer was given back.
		if err := s.InTx(ctx, func(tx store.Store) error { return w.create(ctx, tx, "Mirabel Tosk") }); err != nil {
			t.Fatalf("InTx after a panic = %v", err)
		}
		w.wantPresent(ctx, s, "Mirabel Tosk", true)
	})
}
