package summary

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/llm"
	"github.com/gmc-project/gmc/internal/textmatch"
)

// LLM summarises with a language model. The built-in pass still finds
// every fact that must cite its evidence (scenes, entities, plot points,
// relationship changes, achievements, proposals); the model writes the
// abstractive GM recap and player recap, each line citing the transcript
// segments it tells. A transcript longer than one request's budget is
// summarised part by part and the parts' recaps combined.
//
// The player prompt never carries GM-only context, and its transcript has
// GM-only names masked; an answer that still names a GM-only thing is
// asked for once more without it, then replaced by the built-in player
// recap. When the model fails (server down, an answer invalid after its
// repair) the built-in recaps are kept and Fallback says why: a summary
// is always made.
type LLM struct {
	Client *llm.Client
	// Builtin is the extractive pass, and the recaps used when the model
	// fails.
	Builtin Builtin
	// TranscriptBudget is the most transcript tokens one request carries;
	// 0 is 6000.
	TranscriptBudget int
	// ContextBudget bounds the campaign context of a request; 0 is 1500.
	ContextBudget int
	Log           *slog.Logger
}

var _ Summarizer = LLM{}

const (
	defaultTranscriptBudget = 6000
	defaultContextBudget    = 1500
	// expectedRecapChars is a usual answer's length, for progress while
	// it streams.
	expectedRecapChars = 3000
	// lineOverhead is a transcript line's cost beyond speaker and text:
	// the bracketed id, the colon, the newline.
	lineOverhead = 6
	hiddenMark   = "[hidden]"
)

var (
	errLeak       = errors.New("summary: the model's player recap names GM-only things")
	errNoEvidence = errors.New("summary: the model's answer cites no segment of the transcript")
)

// audience is one of the two recaps.
type audience struct {
	name, prompt, combine string
	players               bool
}

var (
	forGM      = audience{name: "GM", prompt: "session_summary_gm", combine: "session_recap_combine_gm"}
	forPlayers = audience{name: "player", prompt: "session_summary_player", combine: "session_recap_combine_player", players: true}
)

// Model names the language model the recaps are asked of ("" without a
// client); it also marks this summarizer as one whose work spends a
// campaign's AI budget.
func (m LLM) Model() string {
	if m.Client == nil {
		return ""
	}
	return m.Client.Model()
}

// Summarize makes the summary: the built-in facts and the model's recaps,
// or the built-in recaps where the model failed. Only a cancelled ctx is
// an error once the built-in pass is done.
func (m LLM) Summarize(ctx context.Context, in SummaryInput) (*Summary, error) {
	if m.Client == nil {
		return nil, errors.New("summary: the language model summarizer has no client")
	}
	if m.TranscriptBudget <= 0 {
		m.TranscriptBudget = defaultTranscriptBudget
	}
	if m.ContextBudget <= 0 {
		m.ContextBudget = defaultContextBudget
	}
	if m.Log == nil {
		m.Log = slog.New(slog.DiscardHandler)
	}
	report := func(f float64, msg string) {
		if in.Progress != nil {
			in.Progress(f, msg)
		}
	}
	bin := in
	bin.Progress = func(f float64, msg string) { report(0.3*f, msg) }
	out, err := m.Builtin.Summarize(ctx, bin)
	if err != nil {
		return nil, err
	}
	out.PlayerMode = out.Mode
	r := newLLMRun(m, in, report)
	if len(r.lines) == 0 {
		out.Fallback = "the session has no transcript for the model to summarise"
		return out, nil
	}
	r.total = 2 * len(r.parts)
	if len(r.parts) > 1 {
		r.total += 2
	}
	// The model may use nine tenths of the time left: a slow server ends
	// in the built-in recaps, with time to store them, not in a job that
	// fails and is tried again as slowly.
	lctx := ctx
	if dl, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		lctx, cancel = context.WithDeadline(ctx, dl.Add(-time.Until(dl)/10))
		defer cancel()
	}
	gm, err := r.recap(lctx, forGM)
	if err != nil {
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		m.Log.Warn("session summary: the language model failed; the built-in recaps are kept", "campaign_id", in.CampaignID, "reason", why(err), logError(err))
		out.Fallback = "GM and player recaps: " + why(err)
		report(0.95, "the built-in recaps are kept")
		return out, nil
	}
	out.Mode, out.Model, out.GMRecap = "llm", m.Client.Model(), gm
	pl, err := r.recap(lctx, forPlayers)
	if err != nil {
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		m.Log.Warn("session summary: the built-in player recap is kept", "campaign_id", in.CampaignID, "reason", why(err), logError(err))
		out.Fallback = "player recap: " + why(err)
		report(0.95, "the built-in player recap is kept")
		return out, nil
	}
	out.PlayerMode, out.PlayerRecap = "llm", pl
	report(0.95, "recaps written")
	return out, nil
}

// logError is the error for the log when it tells about the server or
// the connection; an answer's problems can quote what the model wrote,
// GM-only names included, so they stay out of the log.
func logError(err error) slog.Attr {
	var invalid *llm.InvalidAnswerError
	if errors.As(err, &invalid) || errors.Is(err, errLeak) || errors.Is(err, errNoEvidence) {
		return slog.Attr{}
	}
	return slog.Any("error", err)
}

// why says in a sentence, for the GM, why the model's recap is not used.
// It names no address or key: the summary is stored and shown.
func why(err error) string {
	var invalid *llm.InvalidAnswerError
	var api *llm.APIError
	var netErr *net.OpError
	switch {
	case errors.Is(err, errLeak):
		return "the model's player recap still named GM-only things after one repair, so the built-in one is shown"
	case errors.As(err, &invalid):
		return "the model's answer did not match its schema after one repair"
	case errors.Is(err, errNoEvidence):
		return "the model's answer cited no segment of the transcript"
	case errors.As(err, &api) && api.Status != 0:
		return fmt.Sprintf("the model server answered %d", api.Status)
	case errors.Is(err, llm.ErrStreamCut):
		return "the model server's answers kept breaking off"
	case errors.Is(err, llm.ErrTimeout), errors.Is(err, context.DeadlineExceeded):
		return "the model server did not answer in time"
	case errors.As(err, &netErr):
		return "the model server could not be reached"
	}
	return "the request to the model failed"
}

// llmRun is the working state of one summary's model calls.
type llmRun struct {
	m      LLM
	in     SummaryInput
	report func(float64, string)
	// segs are the segments that have words, in order; lines and
	// playerLines tell them to the model (the player's masked).
	segs        []Segment
	lines       []llm.TranscriptLine
	playerLines []llm.TranscriptLine
	// parts are the [lo, hi) ranges of lines each request carries.
	parts [][2]int
	// hidden finds GM-only names and aliases; kinds tells each term's
	// placeholder in the player transcript.
	hidden *termFinder
	kinds  []string
	// done and total count model calls, for progress.
	done, total int
}

func newLLMRun(m LLM, in SummaryInput, report func(float64, string)) *llmRun {
	r := &llmRun{m: m, in: in, report: report}
	r.hiddenTerms()
	hitSpans := map[string][][2]int{}
	for _, h := range in.Hits {
		if h.GMOnly {
			hitSpans[h.SegmentID] = append(hitSpans[h.SegmentID], h.Span)
		}
	}
	hiddenChar := map[string]bool{}
	for _, c := range in.Characters {
		if c.GMOnly {
			hiddenChar[c.ID] = true
		}
	}
	for _, s := range in.Segments {
		text := strings.Join(strings.Fields(s.Text), " ")
		if text == "" {
			continue
		}
		speaker := cmpOr(s.Speaker, "Someone")
		r.segs = append(r.segs, s)
		r.lines = append(r.lines, llm.TranscriptLine{Segment: s.Seq, Speaker: speaker, Text: text})
		// Naming who spoke would name a GM-only character.
		if hiddenChar[s.CharacterID] || len(r.hidden.find(speaker)) > 0 {
			speaker = "Someone"
		}
		r.playerLines = append(r.playerLines, llm.TranscriptLine{Segment: s.Seq, Speaker: speaker,
			Text: strings.Join(strings.Fields(r.maskTranscript(s.Text, hitSpans[s.ID])), " ")})
	}
	r.parts = splitParts(r.lines, m.TranscriptBudget)
	return r
}

func cmpOr(s, alt string) string {
	if strings.TrimSpace(s) == "" {
		return alt
	}
	return s
}

// hiddenTerms gathers what the player recap must not name: GM-only
// characters with their aliases, hidden places and threads, and the
// GM-only keywords, but no word that also names something players see.
func (r *llmRun) hiddenTerms() {
	shown := map[string]bool{}
	var terms, kinds []string
	add := func(kind string, names ...string) {
		for _, n := range names {
			terms, kinds = append(terms, n), append(kinds, kind)
		}
	}
	for _, c := range r.in.Characters {
		if c.GMOnly {
			add("someone", append([]string{c.Name}, c.Aliases...)...)
			continue
		}
		for _, n := range append([]string{c.Name}, c.Aliases...) {
			shown[foldTerm(n)] = true
		}
	}
	for _, l := range r.in.Locations {
		if l.GMOnly {
			add("somewhere", append([]string{l.Name}, l.Aliases...)...)
			continue
		}
		for _, n := range append([]string{l.Name}, l.Aliases...) {
			shown[foldTerm(n)] = true
		}
	}
	for _, p := range r.in.Plots {
		if p.GMOnly {
			add("something", p.Title)
		}
	}
	for _, h := range r.in.Hits {
		if h.GMOnly && h.Name != "" {
			add("something", h.Name)
		}
	}
	add("something", r.in.Secrets...)
	r.hidden = &termFinder{}
	for i, t := range terms {
		if f := foldTerm(t); f != "" && !shown[f] {
			r.hidden.add(t, len(r.kinds))
			r.kinds = append(r.kinds, kinds[i])
		}
	}
}

func foldTerm(s string) string {
	var ws []string
	for _, t := range textmatch.Tokenize(s) {
		ws = append(ws, t.Text)
	}
	return strings.Join(ws, " ")
}

// maskTranscript replaces GM-only names, and the keyword engine's GM-only
// detections (which catch misheard names), with a plain word.
func (r *llmRun) maskTranscript(text string, spans [][2]int) string {
	type cut struct {
		start, end int
		with       string
	}
	var cuts []cut
	for _, f := range r.hidden.find(text) {
		cuts = append(cuts, cut{f.start, f.end, r.kinds[f.term]})
	}
	for _, sp := range spans {
		if sp[0] >= 0 && sp[1] <= len(text) && sp[0] < sp[1] {
			cuts = append(cuts, cut{sp[0], sp[1], "something"})
		}
	}
	if len(cuts) == 0 {
		return text
	}
	slices.SortFunc(cuts, func(a, b cut) int { return a.start - b.start })
	var b strings.Builder
	at := 0
	for _, c := range cuts {
		if c.start < at {
			// Overlaps the previous cut: extend it.
			at = max(at, c.end)
			continue
		}
		b.WriteString(text[at:c.start])
		b.WriteString(c.with)
		at = c.end
	}
	b.WriteString(text[at:])
	return b.String()
}

// maskAnswer marks the GM-only names in an answer, to show the model what
// to leave out without writing the names into the player prompt.
func (r *llmRun) maskAnswer(text string) string {
	fs := r.hidden.find(text)
	for i := len(fs) - 1; i >= 0; i-- {
		text = text[:fs[i].start] + hiddenMark + text[fs[i].end:]
	}
	return text
}

// leaks reports whether any text names a GM-only thing, or keeps the mark
// a repair asked to remove.
func (r *llmRun) leaks(texts []string) bool {
	for _, t := range texts {
		if len(r.hidden.find(t)) > 0 || strings.Contains(t, hiddenMark) {
			return true
		}
	}
	return false
}

// splitParts cuts lines into runs that each fit budget tokens; a line
// longer than the budget is a part of its own.
func splitParts(lines []llm.TranscriptLine, budget int) [][2]int {
	var parts [][2]int
	lo, used := 0, 0
	for i, l := range lines {
		cost := llm.EstimateTokens(l.Speaker) + llm.EstimateTokens(l.Text) + lineOverhead
		if i > lo && used+cost > budget {
			parts = append(parts, [2]int{lo, i})
			lo, used = i, 0
		}
		used += cost
	}
	if lo < len(lines) {
		parts = append(parts, [2]int{lo, len(lines)})
	}
	return parts
}

// context is the campaign knowledge for a recap, most mentioned first;
// the player recap's has nothing GM-only in it.
func (r *llmRun) context(a audience) []llm.ContextItem {
	count := func(names ...string) float64 {
		f := &termFinder{}
		for _, n := range names {
			f.add(n, 0)
		}
		n := 0
		for _, l := range r.lines {
			n += len(f.find(l.Text))
		}
		return float64(n)
	}
	hidden := map[string]bool{}
	names := map[string]string{}
	var items []llm.ContextItem
	for _, c := range r.in.Characters {
		hidden[c.ID], names[c.ID] = c.GMOnly, c.Name
		var text []string
		if len(c.Aliases) > 0 {
			text = append(text, "also called "+strings.Join(c.Aliases, ", "))
		}
		if len(c.Tags) > 0 {
			text = append(text, "tags: "+strings.Join(c.Tags, ", "))
		}
		kind := map[string]string{"pc": "player character", "npc": "NPC"}[c.Kind]
		items = append(items, llm.ContextItem{Name: c.Name, Type: cmpOr(kind, "character"), Text: cmpOr(strings.Join(text, "; "), "no notes"),
			GMOnly: c.GMOnly, Score: count(append([]string{c.Name}, c.Aliases...)...)})
	}
	for _, l := range r.in.Locations {
		hidden[l.ID], names[l.ID] = l.GMOnly, l.Name
		items = append(items, llm.ContextItem{Name: l.Name, Type: "location", Text: "a place of the campaign", GMOnly: l.GMOnly, Score: count(l.Name)})
	}
	for _, p := range r.in.Plots {
		text := []string{fmt.Sprintf("%s, %d%% done", p.Status, p.Progress)}
		var who []string
		for _, id := range append(slices.Clone(p.CharacterIDs), p.LocationIDs...) {
			// The player recap's context names nothing hidden.
			if names[id] != "" && (!a.players || !hidden[id]) {
				who = append(who, names[id])
			}
		}
		if len(who) > 0 {
			text = append(text, "involves "+strings.Join(who, ", "))
		}
		var ms []string
		for _, m := range p.Milestones {
			done := ""
			if m.Done {
				done = " (done)"
			}
			ms = append(ms, m.Title+done)
		}
		if len(ms) > 0 {
			text = append(text, "milestones: "+strings.Join(ms, "; "))
		}
		items = append(items, llm.ContextItem{Name: p.Title, Type: "plot thread", Text: strings.Join(text, "; "), GMOnly: p.GMOnly, Score: count(p.Title)})
	}
	if a.players {
		return llm.SelectContext(items, "", r.m.ContextBudget, llm.ForPlayers)
	}
	for i := range items {
		if items[i].GMOnly {
			items[i].Type += ", GM only"
		}
	}
	return llm.SelectContext(items, "", r.m.ContextBudget, llm.ForGM)
}

// progress is the callback of one model call's stream.
func (r *llmRun) progress(msg string) func(received, expected int) {
	done, total := r.done, max(r.total, r.done+1)
	r.report(0.3+0.65*float64(done)/float64(total), msg)
	return func(received, expected int) {
		f := 0.99
		if expected > 0 {
			f = min(f, float64(received)/float64(expected))
		}
		r.report(0.3+0.65*(float64(done)+f)/float64(total), msg)
	}
}

// recap writes one recap: in one request, or part by part and then
// combined.
func (r *llmRun) recap(ctx context.Context, a audience) ([]gmc.RecapLine, error) {
	lines := r.lines
	if a.players {
		lines = r.playerLines
	}
	items := r.context(a)
	campaign := cmpOr(r.in.Campaign, "the campaign")
	var recap []gmc.RecapLine
	var sceneLines []gmc.RecapLine
	var parts []llm.TranscriptLine
	var partEvidence []string
	for k, p := range r.parts {
		data := llm.PromptData{Campaign: campaign, Context: items, Transcript: lines[p[0]:p[1]]}
		msg := "writing the " + a.name + " recap"
		if len(r.parts) > 1 {
			data.Params = map[string]string{"part": fmt.Sprintf("%d of %d", k+1, len(r.parts))}
			msg += fmt.Sprintf(" (part %d of %d)", k+1, len(r.parts))
		}
		ans, err := ask(ctx, r, a, a.prompt, data, msg, sessionSummaryTexts)
		if err != nil {
			return nil, err
		}
		head, scenes, err := r.evidence(ans, p)
		if err != nil {
			return nil, err
		}
		sceneLines = append(sceneLines, scenes...)
		if len(r.parts) == 1 {
			recap = append(recap, head)
			continue
		}
		parts = append(parts, llm.TranscriptLine{Segment: lines[p[0]].Segment, Speaker: fmt.Sprintf("Part %d", k+1), Text: ans.Recap})
		for _, id := range head.SegmentIDs {
			if !slices.Contains(partEvidence, id) {
				partEvidence = append(partEvidence, id)
			}
		}
	}
	if len(r.parts) > 1 {
		data := llm.PromptData{Campaign: campaign, Context: items, Transcript: parts}
		whole, err := ask(ctx, r, a, a.combine, data, "combining the "+a.name+" recap's parts",
			func(v llm.SessionRecap) []string { return []string{v.Recap} })
		if err != nil {
			return nil, err
		}
		recap = append(recap, gmc.RecapLine{Text: strings.TrimSpace(whole.Recap), Evidence: gmc.Evidence{SegmentIDs: partEvidence}})
	}
	return append(recap, sceneLines...), nil
}

func sessionSummaryTexts(v llm.SessionSummary) []string {
	out := []string{v.Recap}
	for _, s := range v.Scenes {
		out = append(out, s.Summary)
	}
	return out
}

// evidence turns an answer into recap lines: the recap, citing where
// each of its scenes starts and the segments its facts cite, then a line
// per scene citing the segments it spans. Citations outside the
// request's transcript are dropped, and a scene left with none.
func (r *llmRun) evidence(a llm.SessionSummary, part [2]int) (gmc.RecapLine, []gmc.RecapLine, error) {
	segs := r.segs[part[0]:part[1]]
	var cited []int64
	var scenes []gmc.RecapLine
	for _, sc := range a.Scenes {
		lo, hi := min(sc.FirstSegment, sc.LastSegment), max(sc.FirstSegment, sc.LastSegment)
		var ids []string
		for _, s := range segs {
			if s.Seq >= lo && s.Seq <= hi {
				ids = append(ids, s.ID)
				if len(ids) == 1 {
					cited = append(cited, s.Seq)
				}
			}
		}
		if text := strings.TrimSpace(sc.Summary); len(ids) > 0 && text != "" {
			scenes = append(scenes, gmc.RecapLine{Text: text, Evidence: gmc.Evidence{SegmentIDs: ids}})
		}
	}
	for _, f := range slices.Concat(a.PlotPoints, a.Achievements) {
		cited = append(cited, f.Segments...)
	}
	var head []string
	for _, s := range segs {
		if slices.Contains(cited, s.Seq) {
			head = append(head, s.ID)
		}
	}
	if len(head) == 0 {
		return gmc.RecapLine{}, nil, errNoEvidence
	}
	return gmc.RecapLine{Text: strings.TrimSpace(a.Recap), Evidence: gmc.Evidence{SegmentIDs: head}}, scenes, nil
}

// ask makes one model call. For the player recap, an answer that names
// a GM-only thing is asked for once more with those names marked, and
// refused if it still names one.
func ask[T any](ctx context.Context, r *llmRun, a audience, name string, data llm.PromptData, msg string, texts func(T) []string) (T, error) {
	var zero T
	p, err := llm.Render(name, data)
	if err != nil {
		return zero, err
	}
	p.Campaign, p.ExpectedChars, p.Progress = r.in.CampaignID, expectedRecapChars, r.progress(msg)
	res, err := llm.Generate[T](ctx, r.m.Client, p)
	r.done++
	if err != nil {
		return zero, err
	}
	if !a.players || !r.leaks(texts(res.Value)) {
		return res.Value, nil
	}
	raw, err := json.Marshal(res.Value)
	if err != nil {
		return zero, err
	}
	p.User += "\n\nA first answer was:\n" + r.maskAnswer(string(raw)) + "\n" +
		"It names, where it shows " + hiddenMark + ", someone or something the players must not know about. " +
		"Answer again without it: leave out what only concerns it, and never write " + hiddenMark + "."
	r.total++
	p.Progress = r.progress(msg + ", without GM-only names")
	res, err = llm.Generate[T](ctx, r.m.Client, p)
	r.done++
	if err != nil {
		return zero, fmt.Errorf("summary: asking for a recap without GM-only names: %w", err)
	}
	if r.leaks(texts(res.Value)) {
		return zero, errLeak
	}
	return res.Value, nil
}

// termFinder finds whole-word occurrences of phrases, case and accents
// folded.
type termFinder struct {
	terms [][]string
	ids   []int
}

type found struct{ start, end, term int }

func (f *termFinder) add(phrase string, id int) {
	var ws []string
	for _, t := range textmatch.Tokenize(phrase) {
		ws = append(ws, t.Text)
	}
	if len(ws) > 0 {
		f.terms, f.ids = append(f.terms, ws), append(f.ids, id)
	}
}

// find returns the non-overlapping matches in text, longest first where
// two start together.
func (f *termFinder) find(text string) []found {
	if f == nil || len(f.terms) == 0 {
		return nil
	}
	toks := textmatch.Tokenize(text)
	var out []found
	for i := 0; i < len(toks); {
		best, bestLen := -1, 0
		for k, term := range f.terms {
			if len(term) <= bestLen || i+len(term) > len(toks) {
				continue
			}
			ok := true
			for j, w := range term {
				if toks[i+j].Text != w {
					ok = false
					break
				}
			}
			if ok {
				best, bestLen = k, len(term)
			}
		}
		if best < 0 {
			i++
			continue
		}
		out = append(out, found{start: toks[i].Start, end: toks[i+bestLen-1].End, term: f.ids[best]})
		i += bestLen
	}
	return out
}
