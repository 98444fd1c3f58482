package live

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"go.opentelemetry.io/otel/attribute"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/keywords"
	"github.com/gmc-project/gmc/internal/realtime"
	"github.com/gmc-project/gmc/internal/tracing"
)

// Live keyword detection: every ingested segment goes through its
// campaign's dictionary (see dict.go). Detections at or above the
// campaign's keyword_threshold are stored as hits, and each term raises one
// keyword.alert per burst of mentions: repeats within keywords.DefaultWindow
// of segment time are merged by the session's tracker (stored with merged
// set, not alerted again). Rule phrases (dice, DCs, saving throws, damage,
// conditions applied to a character) are stored and alerted each time.
// Alerts about GM-only terms, and rule phrases naming a GM-only character,
// reach GMs only.
//
// The tracker lives in the instance that ingests: with several instances a
// term mentioned again within the window on another instance is alerted
// again there.

// Kinds of keyword.alert messages.
const (
	AlertTerm = gmc.HitTerm
	AlertRule = gmc.HitRule
)

// KeywordAlert is the data of a keyword.alert message.
type KeywordAlert struct {
	// Kind is "term" or "rule".
	Kind      string `json:"kind"`
	HitID     string `json:"hit_id"`
	SessionID string `json:"session_id"`
	SegmentID string `json:"segment_id"`
	Seq       int64  `json:"seq"`
	// Span holds the byte offsets [start, end) of the mention in the
	// segment's text; Surface is that text.
	Span       [2]int  `json:"span"`
	Surface    string  `json:"surface"`
	Confidence float64 `json:"confidence"`
	Reason     string  `json:"reason"`
	GMOnly     bool    `json:"gm_only"`
	// Term and Card are set for a term.
	Term *keywords.Term `json:"term,omitempty"`
	Card *KeywordCard   `json:"card,omitempty"`
	// Rule, Values and Characters are set for a rule phrase: the event
	// kind (dice, dc, saving_throw …), its values and the characters it
	// names.
	Rule       string         `json:"rule,omitempty"`
	Values     map[string]any `json:"values,omitempty"`
	Characters []string       `json:"characters,omitempty"`
}

func (*KeywordAlert) messageType() string { return realtime.TypeKeywordAlert }

// detectKeywords runs the campaign's dictionary over stored segments,
// stores the hits in one transaction and publishes the alerts. It never
// fails the ingestion, which has committed: problems are logged.
func (t *Table) detectKeywords(ctx context.Context, gs *gmc.GameSession, segs []*gmc.TranscriptSegment) {
	defer func() {
		// A bug in detection must not turn a stored batch into a 500.
		if r := recover(); r != nil {
			t.log.ErrorContext(ctx, "keyword detection panicked", "session_id", gs.ID, "panic", fmt.Sprint(r))
		}
	}()
	d, err := t.dicts.dict(ctx, gs.CampaignID)
	if err != nil {
		t.log.WarnContext(ctx, "keyword dictionary unavailable", "campaign_id", gs.CampaignID, "error", err.Error())
		return
	}
	tr := t.dicts.tracker(gs.ID)
	var hits []*gmc.KeywordHit
	var alerts []*KeywordAlert
	_, span := tracing.Start(ctx, "keywords.detect", attribute.Int("keywords.segments", len(segs)))
	for _, seg := range segs {
		start := time.Now()
		h, a := t.segmentKeywords(d, tr, seg)
		t.metrics.KeywordsDetected(time.Since(start))
		hits, alerts = append(hits, h...), append(alerts, a...)
	}
	span.SetAttributes(attribute.Int("keywords.hits", len(hits)))
	span.End()
	if err := t.store.CreateKeywordHits(ctx, hits); err != nil {
		t.log.WarnContext(ctx, "store keyword hits", "session_id", gs.ID, "hits", len(hits), "error", err.Error())
	}
	for _, a := range alerts {
		t.publish(ctx, gs.ID, a, a.GMOnly)
	}
}

// segmentKeywords detects one segment's terms and rule phrases.
func (t *Table) segmentKeywords(d *campaignDict, tr *keywords.Tracker, seg *gmc.TranscriptSegment) ([]*gmc.KeywordHit, []*KeywordAlert) {
	dets := d.detect(seg.Text, seg.Alternatives)
	// The mention that raises a new alert is the tracker's best one of
	// the segment; the term's other mentions are stored as merged.
	raise := map[string][2]int{}
	for _, a := range tr.Observe(segmentTime(seg), dets) {
		if !a.Merged {
			raise[a.Term.Key] = a.Best.Span
		}
	}
	var hits []*gmc.KeywordHit
	var alerts []*KeywordAlert
	for _, det := range dets {
		h := t.termHit(seg, det)
		span, ok := raise[det.Term.Key]
		h.Merged = !ok || span != det.Span
		hits = append(hits, h)
		if !h.Merged {
			term := det.Term
			alerts = append(alerts, &KeywordAlert{Kind: AlertTerm, HitID: h.ID, SessionID: seg.SessionID, SegmentID: seg.ID, Seq: seg.Seq,
				Span: det.Span, Surface: det.Surface, Confidence: det.Confidence, Reason: det.Reason, GMOnly: term.GMOnly,
				Term: &term, Card: d.card(term)})
		}
	}
	// Rule phrases are read in the segment's text, where a term found only
	// in the alternatives has no place.
	inText := slices.DeleteFunc(slices.Clone(dets), func(det keywords.Detection) bool { return det.Reason == keywords.ReasonAlternative })
	for _, ev := range keywords.Events(seg.Text, inText) {
		h := t.ruleHit(seg, ev, ruleGMOnly(ev, inText))
		hits = append(hits, h)
		alerts = append(alerts, &KeywordAlert{Kind: AlertRule, HitID: h.ID, SessionID: seg.SessionID, SegmentID: seg.ID, Seq: seg.Seq,
			Span: ev.Span, Surface: ev.Text, Confidence: 1, Reason: h.Reason, GMOnly: h.GMOnly,
			Rule: ev.Kind, Values: ev.Values, Characters: ev.Characters})
	}
	return hits, alerts
}

// detect returns the detections of text at or above the threshold, and
// the terms most of the recogniser's readings of the audio agree on when
// it gave alternatives (see keywords.Engine.DetectAlternatives): those
// have the empty span [0, 0] and reason "alternative" in hits and alerts.
// On the keyword benchmark spoken by flite voices they added 2 true and
// no false detections to 214 (gmc bench spoken-keywords).
func (d *campaignDict) detect(text string, alts []string) []keywords.Detection {
	thr := d.engine.Options().Threshold
	dets := d.engine.DetectAlternatives(text, alts)
	return slices.DeleteFunc(dets, func(det keywords.Detection) bool { return det.Confidence < thr })
}

// card returns the card of a detected term; a term added or removed while
// the segment was read may have none yet, and gets its name.
func (d *campaignDict) card(t keywords.Term) *KeywordCard {
	v := d.view.Load()
	if c := v.srd.cards[t.Key]; c != nil {
		return c
	}
	if o, ok := v.own[t.Key]; ok {
		return o.card
	}
	return &KeywordCard{Type: t.Category, Name: t.Name}
}

// segmentTime places a segment on the session's timeline for the
// tracker's window: its start in the recording. Segments without times
// (both 0) count as spoken when they arrived.
func segmentTime(seg *gmc.TranscriptSegment) time.Time {
	if seg.StartMS == 0 && seg.EndMS == 0 {
		return seg.CreatedAt
	}
	return time.UnixMilli(seg.StartMS)
}

func (t *Table) termHit(seg *gmc.TranscriptSegment, det keywords.Detection) *gmc.KeywordHit {
	term := det.Term
	return &gmc.KeywordHit{ID: t.newID(), SessionID: seg.SessionID, SegmentID: seg.ID, Seq: seg.Seq, Kind: gmc.HitTerm,
		TermKey: term.Key, Name: term.Name, Category: term.Category, Source: term.Source, Ref: term.Ref, Span: det.Span, Surface: det.Surface,
		Confidence: det.Confidence, Reason: det.Reason, GMOnly: term.GMOnly, CreatedAt: seg.CreatedAt}
}

// ruleReason is the Reason of rule hits: a pattern over the words.
const ruleReason = "pattern"

func (t *Table) ruleHit(seg *gmc.TranscriptSegment, ev keywords.Event, gmOnly bool) *gmc.KeywordHit {
	h := &gmc.KeywordHit{ID: t.newID(), SessionID: seg.SessionID, SegmentID: seg.ID, Seq: seg.Seq, Kind: gmc.HitRule,
		TermKey: "rule:" + ev.Kind, Name: ev.Kind, Category: "rule", Source: "rules", Span: ev.Span, Surface: ev.Text,
		Confidence: 1, Reason: ruleReason, GMOnly: gmOnly, Characters: ev.Characters, CreatedAt: seg.CreatedAt}
	if len(ev.Values) > 0 {
		h.Values, _ = json.Marshal(ev.Values) // numbers, strings and booleans: always marshal
	}
	return h
}

// ruleGMOnly reports whether a rule phrase gives away a GM-only term: it
// names a GM-only character, or its words overlap a GM-only mention.
func ruleGMOnly(ev keywords.Event, dets []keywords.Detection) bool {
	for _, det := range dets {
		if !det.Term.GMOnly {
			continue
		}
		if slices.Contains(ev.Characters, det.Term.Name) || (det.Span[0] < ev.Span[1] && ev.Span[0] < det.Span[1]) {
			return true
		}
	}
	return false
}
