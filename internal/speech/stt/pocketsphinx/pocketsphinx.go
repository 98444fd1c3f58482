// Package pocketsphinx is an offline speech-to-text provider on CMU
// PocketSphinx 5prealpha, the version Debian packages (pocketsphinx,
// pocketsphinx-en-us). The C library is loaded at run time (see lib.go),
// so a binary without it still builds and runs, and Probe says why
// recognition is off.
//
// The campaign's names are added to the decoder's dictionary with
// pronunciations from letter-to-sound rules learnt from the model's own
// dictionary (lts.go), and as unigrams to a language model of their own
// interpolated with the stock one (decoder.go), so that "Xylandra" can
// come out as written.
package pocketsphinx

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/gmc-project/gmc/internal/speech"
)

// DefaultModelDir is where Debian's pocketsphinx-en-us puts the model.
const DefaultModelDir = "/usr/share/pocketsphinx/model/en-us"

// Config says which model to load and how many decoders to keep.
type Config struct {
	// ModelDir holds en-us/ (acoustic model), en-us.lm.bin and
	// cmudict-en-us.dict; DefaultModelDir when empty.
	ModelDir string
	// PoolSize is how many decoders run at once, each with its own copy
	// of the model (about 100 MB resident); 1 when 0.
	PoolSize int
	// MaxAlternatives bounds Transcript.Alternatives; 5 when 0, none when < 0.
	MaxAlternatives int
	// AddNames adds Hints.Names to the dictionary and to a names language
	// model (see setWords for why not to the stock one); without it they
	// are ignored.
	AddNames bool
	// Logger gets warnings about names it cannot add; discarded when nil.
	Logger *slog.Logger
	// MaxHMMsPerFrame and MaxWordsPerFrame bound the search in each 10 ms
	// frame (-maxhmmpf, -maxwpf; CMU's first advice for speed) when > 0;
	// PocketSphinx's own 30000 and no bound otherwise. 3000 and 5 cut the
	// decoder's CPU time by about 30% (32 instead of 45 CPU s on 111 s of
	// flite speech written for the measurement, run back to back) for 1
	// more word wrong in those 354, but 3 more in the 26 words of
	// TestRecognizeSentences (one sentence from 25% to 62%): about one
	// point of WER pooled, so they are not the default. Figures and
	// commands are in the speech bench's note (issue 12).
	MaxHMMsPerFrame, MaxWordsPerFrame int
}

// model is the paths of one model's files.
type model struct{ dir, hmm, lm, dict string }

func modelIn(dir string) model {
	if dir == "" {
		dir = DefaultModelDir
	}
	return model{
		dir:  dir,
		hmm:  filepath.Join(dir, "en-us"),
		lm:   filepath.Join(dir, "en-us.lm.bin"),
		dict: filepath.Join(dir, "cmudict-en-us.dict"),
	}
}

func (m model) check() error {
	for _, p := range []string{filepath.Join(m.hmm, "mdef"), m.lm, m.dict} {
		if _, err := os.Stat(p); err != nil {
			return fmt.Errorf("pocketsphinx model file %s missing (install pocketsphinx-en-us or set the model directory)", p)
		}
	}
	return nil
}

// Probe says whether PocketSphinx can run with the model in modelDir
// (DefaultModelDir when empty): nil, or why not, for the start-up log and
// /readyz. It loads the library but not the model.
func Probe(modelDir string) error {
	if _, err := loadLib(); err != nil {
		return fmt.Errorf("pocketsphinx unavailable: %w", err)
	}
	if err := modelIn(modelDir).check(); err != nil {
		return fmt.Errorf("pocketsphinx unavailable: %w", err)
	}
	return nil
}

// Recognizer is a pool of PocketSphinx decoders. It is safe for
// concurrent use.
type Recognizer struct {
	cfg    Config
	model  model
	lib    *lib
	pool   chan *decoder
	closed chan struct{}
	// mu orders release against Close.
	mu       sync.Mutex
	isClosed bool

	// lts is learnt from the dictionary the first time a name needs it.
	ltsOnce sync.Once
	lts     *LTS
	ltsErr  error
	// warned holds the name words already logged as left out, so that a
	// name is reported once, not at every utterance.
	warned sync.Map
}

// New loads the library and PoolSize decoders, or says why it cannot.
func New(cfg Config) (*Recognizer, error) {
	m := modelIn(cfg.ModelDir)
	l, err := loadLib()
	if err != nil {
		return nil, fmt.Errorf("pocketsphinx unavailable: %w", err)
	}
	if err := m.check(); err != nil {
		return nil, fmt.Errorf("pocketsphinx unavailable: %w", err)
	}
	if cfg.PoolSize <= 0 {
		cfg.PoolSize = 1
	}
	if cfg.MaxAlternatives == 0 {
		cfg.MaxAlternatives = 5
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	r := &Recognizer{cfg: cfg, model: m, lib: l, pool: make(chan *decoder, cfg.PoolSize), closed: make(chan struct{})}
	for range cfg.PoolSize {
		d, err := newDecoder(l, m, cfg.searchArgs())
		if err != nil {
			r.Close()
			return nil, err
		}
		r.pool <- d
	}
	return r, nil
}

// searchArgs are the search bounds of cfg as PocketSphinx arguments.
func (cfg Config) searchArgs() []string {
	var args []string
	if cfg.MaxHMMsPerFrame > 0 {
		args = append(args, "-maxhmmpf", strconv.Itoa(cfg.MaxHMMsPerFrame))
	}
	if cfg.MaxWordsPerFrame > 0 {
		args = append(args, "-maxwpf", strconv.Itoa(cfg.MaxWordsPerFrame))
	}
	return args
}

// Name is "pocketsphinx".
func (r *Recognizer) Name() string { return "pocketsphinx" }

// Close frees the idle decoders; a decoder in use is freed when its
// Recognize call ends. Calls after Close fail.
func (r *Recognizer) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.isClosed {
		return nil
	}
	r.isClosed = true
	close(r.closed)
	for {
		select {
		case d := <-r.pool:
			d.free()
		default:
			return nil
		}
	}
}

var errClosed = errors.New("pocketsphinx: recogniser closed")

// Recognize decodes one utterance with a decoder from the pool, after
// adding hints.Names to its dictionary.
func (r *Recognizer) Recognize(ctx context.Context, samples []float32, hints speech.Hints) (*speech.Transcript, error) {
	if hints.Language != "" && !strings.HasPrefix(strings.ToLower(hints.Language), "en") {
		return nil, fmt.Errorf("pocketsphinx: language %q not supported by the en-us model", hints.Language)
	}
	var d *decoder
	select {
	case d = <-r.pool:
	case <-r.closed:
		return nil, errClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer r.release(d)

	if !r.cfg.AddNames {
		hints.Names = nil
	}
	names := r.names(d, hints.Names)
	if err := d.setWords(names); err != nil {
		return nil, err
	}
	pcm := make([]int16, len(samples))
	for i, s := range samples {
		pcm[i] = pcm16(s)
	}
	t, err := d.decode(ctx, pcm, r.cfg.MaxAlternatives)
	if err != nil {
		return nil, err
	}
	names.rewrite(t)
	return t, nil
}

// release gives d back to the pool, or frees it when Close has run. The
// lock makes the two exclusive, so no decoder is put back after Close
// emptied the pool.
func (r *Recognizer) release(d *decoder) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.isClosed {
		d.free()
		return
	}
	r.pool <- d // never blocks: the pool holds every decoder
}

func pcm16(s float32) int16 {
	if s != s {
		return 0
	}
	return int16(min(max(s, -1), 1) * 32767)
}

// nameWords is what the decoder needs for one call's names: the words to
// add with their pronunciations, and how to write every name word found
// in the transcript.
type nameWords struct {
	prons map[string]string
	// known are words the dictionary has but the stock language model
	// lacks (so that the search would never consider them).
	known   []string
	written map[string]string // lower case → as written
}

// lmWords are the words the names model needs: every added word and every
// known one, sorted.
func (nw nameWords) lmWords() []string {
	words := slices.Clone(nw.known)
	for w := range nw.prons {
		words = append(words, w)
	}
	slices.Sort(words)
	return slices.Compact(words)
}

// names splits the campaign's names into words; a word the dictionary
// has is kept as it is there (and goes to the names model when the stock
// language model lacks it), any other gets a pronunciation from the
// letter-to-sound rules. Multi-word names are added word by word.
func (r *Recognizer) names(d *decoder, names []string) nameWords {
	nw := nameWords{prons: map[string]string{}, written: map[string]string{}}
	for _, name := range names {
		for _, w := range strings.FieldsFunc(name, func(c rune) bool { return unicode.IsSpace(c) || c == '-' || c == '/' }) {
			w = strings.TrimFunc(w, func(c rune) bool { return !unicode.IsLetter(c) })
			lower := strings.ToLower(w)
			if w == "" || nw.written[lower] != "" {
				continue
			}
			nw.written[lower] = w
			// A word this decoder added is in its dictionary too, but
			// must be asked for again or setWords would take it out.
			if !d.added[w] && d.inDict(lower) {
				// The dictionary's words are in lower case; the
				// language model must name it as the dictionary does.
				if d.l.lmWid(d.lm, lower) == d.l.lmUnknownID(d.lm) {
					nw.known = append(nw.known, lower)
				}
				continue
			}
			pron, err := r.pronounce(lower)
			if err != nil {
				if _, dup := r.warned.LoadOrStore(w, true); dup {
					continue
				}
				r.cfg.Logger.Warn("pocketsphinx: name left out of the dictionary", slog.String("word", w), slog.String("error", err.Error()))
				continue
			}
			nw.prons[w] = pron
		}
	}
	return nw
}

func (r *Recognizer) pronounce(word string) (string, error) {
	r.ltsOnce.Do(func() { r.lts, r.ltsErr = TrainLTS(r.model.dict, nil) })
	if r.ltsErr != nil {
		return "", r.ltsErr
	}
	phones := r.lts.Pronounce(word)
	if len(phones) == 0 {
		return "", fmt.Errorf("no letters to pronounce in %q", word)
	}
	return strings.Join(phones, " "), nil
}

// rewrite spells recognised name words as the campaign writes them.
func (nw nameWords) rewrite(t *speech.Transcript) {
	for i := range t.Words {
		if w, ok := nw.written[strings.ToLower(t.Words[i].Text)]; ok {
			t.Words[i].Text = w
		}
	}
	for i, alt := range t.Alternatives {
		ws := strings.Fields(alt)
		for j, w := range ws {
			if n, ok := nw.written[strings.ToLower(w)]; ok {
				ws[j] = n
			}
		}
		t.Alternatives[i] = strings.Join(ws, " ")
	}
}
