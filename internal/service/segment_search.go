package service

import (
	"context"
	"errors"

	"github.com/gmc-project/gmc/internal/gmc"
	textsearch "github.com/gmc-project/gmc/internal/search"
)

// searchSegments adds the transcript segments that match p to an entity
// search's result: by their words, and, with sem, by their meaning
// (below every lexical match). Segments are searched when p asks for no
// types or for segments; they carry no tags, so a tags filter leaves them
// out. Every member may read every transcript, so the role decides only
// which resolved names count (a GM-only hit's name finds its segment for
// GMs only) and whose characters a speaker may show, as Transcript does;
// lines found by meaning pass the same naming of speakers, and their
// vectors are of the text alone, which every member reads.
func (s *Service) searchSegments(ctx context.Context, role gmc.Role, campaignID string, p SearchParams, res *textsearch.Result, sem *semanticSearch) error {
	if len(p.Tags) > 0 {
		return nil
	}
	gm := role == gmc.RoleGM
	segs, err := textsearch.RunSegments(ctx, s.store, campaignID, gm, p.Query)
	if err != nil {
		return err
	}
	// Asked whatever the types, as lexical segments are: facets count
	// every type.
	if sem != nil {
		if err := textsearch.AddSimilarSegments(ctx, s.store, campaignID, gm, segs, sem.similarSegments(ctx, campaignID, p.Query, gm)); err != nil {
			return err
		}
	}
	textsearch.MergeSegments(res, segs, p.Types, p.Limit)
	return s.nameSegmentSpeakers(ctx, role, res.Items)
}

// nameSegmentSpeakers hides the speakers' characters the role may not see
// and names each speaker: its character, else its member, else its label.
func (s *Service) nameSegmentSpeakers(ctx context.Context, role gmc.Role, items []textsearch.Item) error {
	var mapped []*gmc.Speaker
	for _, it := range items {
		if it.Segment != nil && it.Segment.Speaker != nil {
			mapped = append(mapped, it.Segment.Speaker)
		}
	}
	if err := s.hideSpeakerCharacters(ctx, role, mapped); err != nil {
		return err
	}
	names := map[string]string{}
	lookup := func(key string, load func() (string, error)) (string, error) {
		if n, ok := names[key]; ok {
			return n, nil
		}
		n, err := load()
		if errors.Is(err, gmc.ErrNotFound) {
			n, err = "", nil
		}
		names[key] = n
		return n, err
	}
	for _, it := range items {
		seg := it.Segment
		if seg == nil || seg.Speaker == nil {
			continue
		}
		name := ""
		var err error
		if id := seg.Speaker.CharacterID; id != nil {
			name, err = lookup("c"+*id, func() (string, error) {
				c, err := s.store.Character(ctx, *id)
				if err != nil {
					return "", err
				}
				return c.Name, nil
			})
		}
		if id := seg.Speaker.UserID; name == "" && err == nil && id != nil {
			name, err = lookup("u"+*id, func() (string, error) {
				u, err := s.store.User(ctx, *id)
				if err != nil {
					return "", err
				}
				return u.DisplayName, nil
			})
		}
		if err != nil {
			return err
		}
		if name != "" {
			seg.SpeakerName = name
		}
	}
	return nil
}
