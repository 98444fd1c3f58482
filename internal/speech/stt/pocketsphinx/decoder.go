package pocketsphinx

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"

	"github.com/gmc-project/gmc/internal/speech"
)

// decoder is one ps_decoder_t. PocketSphinx decoders are not safe for
// concurrent use, so each is used by one goroutine at a time (the pool in
// Recognizer sees to that).
type decoder struct {
	l      *lib
	ps     uintptr
	lmath  uintptr
	config uintptr
	argv   []*byte
	dict   string
	// search is the name of the n-gram search, lm the stock n-gram model
	// in it (held, so that it outlives searches rebuilt on a names model),
	// lmVocab its number of words and lw its language weight.
	search  string
	lm      uintptr
	lmVocab int
	lw      float32
	// added are the words this decoder has had added beyond its
	// dictionary file; they stay until the dictionary is reloaded.
	added map[string]bool
	// lmNames are the words of the names model the search runs on; nil
	// while it runs on the stock model alone.
	lmNames []string
	// reloads counts dictionary reloads, lmSets names models, for tests.
	reloads, lmSets int
}

// frameMS is the length of a PocketSphinx frame at its default -frate 100.
const frameMS = 10

func newDecoder(l *lib, m model, search []string) (*decoder, error) {
	args := []string{
		"-hmm", m.hmm, "-lm", m.lm, "-dict", m.dict,
		"-samprate", "16000",
		"-cmn", "current",
		// The lattice pass gives word posteriors (confidence) and n-best.
		"-bestpath", "yes",
		// No -logfn: the log is switched off once for all decoders (loadLib
		// says why a log file per decoder corrupts memory).
	}
	args = append(args, search...)
	d := &decoder{l: l, dict: m.dict, added: map[string]bool{}}
	d.argv = l.cArgv(args)
	d.config = l.cmdLnParseR(0, l.psArgs(), int32(len(d.argv)), &d.argv[0], 1)
	if d.config == 0 {
		l.freeArgv(d.argv)
		return nil, errors.New("pocketsphinx: its configuration was refused")
	}
	d.ps = l.psInit(d.config)
	if d.ps == 0 {
		d.free()
		return nil, fmt.Errorf("pocketsphinx: could not load the model in %s", m.dir)
	}
	d.lmath = l.psGetLogmath(d.ps)
	d.search = goString(l.psGetSearch(d.ps))
	if d.lm = d.languageModel(); d.lm == 0 {
		d.free()
		return nil, errors.New("pocketsphinx: the model has no n-gram language model")
	}
	l.lmRetain(d.lm)
	d.lmVocab = int(*l.lmCounts(d.lm))
	var logWIP int32
	d.lw = l.lmWeights(d.lm, &logWIP)
	if d.lmVocab <= 0 || !(d.lw > 0) {
		d.free()
		return nil, errors.New("pocketsphinx: the n-gram language model is empty")
	}
	return d, nil
}

func (d *decoder) free() {
	if d.ps != 0 {
		d.l.psFree(d.ps)
		d.ps = 0
	}
	if d.lm != 0 {
		d.l.lmFree(d.lm)
		d.lm = 0
	}
	if d.config != 0 {
		d.l.cmdLnFreeR(d.config)
		d.config = 0
	}
	if d.argv != nil {
		d.l.freeArgv(d.argv)
		d.argv = nil
	}
}

// inDict says whether the dictionary has word.
func (d *decoder) inDict(word string) bool {
	p := d.l.psLookupWord(d.ps, word)
	if p == nil {
		return false
	}
	d.l.ckdFree(unsafePointer(p))
	return true
}

// Why names have a language model of their own
//
// PocketSphinx gives an added word a unigram by adding it to the n-gram
// model itself (ps_add_word → ngram_model_add_word), and that model is,
// in this version, a trie whose lookups can only take the word IDs it was
// built with. When a word added later is the history of a later word,
// the trie's interpolation search (uniform_find in lm_trie.c) computes a
// pivot past the end of the node's range, its unsigned arithmetic wraps,
// and it reads far beyond the bit array: SIGSEGV inside ps_process_raw,
// or a garbage score when the read happens to land in mapped memory.
// Whether one utterance crashes depends on how far past the vocabulary
// the word's ID lies and on how many histories the trie holds for the
// word scored after it, so a few names seldom crash and the benchmark's
// sixty-odd crash within a dozen utterances (scoring stock words after
// the fifth word added already does). (Upstream fixed it after the version Debian ships,
// in sphinxbase r13247, "Fixes access violation for words added later
// to LM".) Nothing can be taken out of the trie either, so every campaign
// pushed the IDs further out.
//
// So the stock model is never written to. The decoder's search runs on
// a set interpolating it with a small unigram model of the names
// (setNamesLM), replaced whole when the names change. Every word the
// dictionary gains is then known to that set (a name) or mapped to the
// set's <UNK>, which the set never passes on to the trie, so
// ps_add_word finds nothing to add to any model; a name reaches the trie
// only as "no word", which scores log zero as the word and cuts a history
// short (the words after it are scored as unigrams).

// setWords makes the decoder know exactly the words of names: it reloads
// the dictionary when words of another campaign are there (there is no way
// to remove one), gives the search a names model with every name word the
// stock model lacks, then adds to the dictionary what it is missing.
func (d *decoder) setWords(names nameWords) error {
	lmWords := names.lmWords()
	todo := d.missing(names.prons)
	if len(todo) == 0 && !d.dropped(names.prons) && slices.Equal(lmWords, d.lmNames) {
		return nil
	}
	if d.dropped(names.prons) {
		if d.l.psLoadDict(d.ps, d.dict, 0, 0) < 0 {
			return errors.New("pocketsphinx: reloading the dictionary failed")
		}
		clear(d.added)
		d.reloads++
		todo = d.missing(names.prons)
	}
	if !slices.Equal(lmWords, d.lmNames) {
		if err := d.setNamesLM(lmWords); err != nil {
			return err
		}
	}
	if len(todo) > 0 && d.lmNames == nil {
		// Never reached while lmWords holds every word of prons; were it,
		// ps_add_word would write into the stock model (see above).
		return errors.New("pocketsphinx: names to add without a names model")
	}
	for i, w := range todo {
		// Updating the search is costly; once, after the last word, is enough.
		update := int32(0)
		if i == len(todo)-1 {
			update = 1
		}
		if d.l.psAddWord(d.ps, w, names.prons[w], update) < 0 {
			return fmt.Errorf("pocketsphinx: adding %q with pronunciation %q failed", w, names.prons[w])
		}
		d.added[w] = true
	}
	return nil
}

// missing are the words of prons not yet in the dictionary, in order.
func (d *decoder) missing(prons map[string]string) []string {
	var todo []string
	for w := range prons {
		if !d.added[w] {
			todo = append(todo, w)
		}
	}
	slices.Sort(todo)
	return todo
}

// dropped says whether the dictionary has added words prons does not want.
func (d *decoder) dropped(prons map[string]string) bool {
	for w := range d.added {
		if _, ok := prons[w]; !ok {
			return true
		}
	}
	return false
}

// nameProb is the probability a campaign name gets in any context: that
// of a word fifty times likelier than a uniformly chosen word of the
// stock vocabulary, about as likely as a common noun, for a name the
// table says again and again; with less, "the highlander" beats
// "Xylandra".
const nameProb = 50.0

// namesWeight is the names model's interpolation weight. The set adds it
// to scores already multiplied by the language weight (-lw), so it acts
// as namesWeight^(1/lw) on probabilities; the names' unigrams are raised
// to make up for it (setNamesLM), and the stock model loses 1%.
const namesWeight = 0.01

// setNamesLM gives the search a language model interpolating the stock
// model with a unigram model of words (sorted, distinct), and rebuilds the
// search on it.
func (d *decoder) setNamesLM(words []string) error {
	if len(words) == 0 {
		// Back to the stock model alone; no word is added while so.
		if d.l.psSetLM(d.ps, d.search, d.lm) < 0 || d.l.psSetSearch(d.ps, d.search) < 0 {
			return errors.New("pocketsphinx: the search on the stock model was refused")
		}
		d.lmNames = nil
		d.lmSets++
		return nil
	}
	f, err := os.CreateTemp("", "gmc-names-*.lm")
	if err != nil {
		return fmt.Errorf("pocketsphinx: names model: %w", err)
	}
	defer os.Remove(f.Name())
	// lw·log P + log λ = lw·log p, so that a name scores as a word of
	// probability p = nameProb/vocabulary would in the stock model.
	p := nameProb / float64(d.lmVocab)
	logProb := math.Log10(p) - math.Log10(namesWeight)/float64(d.lw)
	w := bufio.NewWriter(f)
	fmt.Fprintf(w, "\\data\\\nngram 1=%d\n\n\\1-grams:\n", len(words))
	for _, word := range words {
		fmt.Fprintf(w, "%.4f %s\n", logProb, word)
	}
	fmt.Fprintf(w, "\n\\end\\\n")
	if err := errors.Join(w.Flush(), f.Close()); err != nil {
		return fmt.Errorf("pocketsphinx: names model: %w", err)
	}
	names := d.l.lmRead(d.config, f.Name(), ngramARPA, d.lmath)
	if names == 0 {
		return errors.New("pocketsphinx: the names model was refused")
	}
	models := []uintptr{d.lm, names}
	labels := d.l.cArgv([]string{"gmc-stock", "gmc-names"})
	defer d.l.freeArgv(labels)
	weights := []float32{1 - namesWeight, namesWeight}
	set := d.l.lmSetInit(d.config, &models[0], &labels[0], &weights[0], int32(len(models)))
	d.l.lmFree(names) // the set holds it now
	if set == 0 {
		return errors.New("pocketsphinx: the language model set was refused")
	}
	// ps_set_lm wraps the set in one of its own and builds a new search on
	// it, which replaces (and frees) the old one of that name; the search
	// holds the set now.
	rv := d.l.psSetLM(d.ps, d.search, set)
	d.l.lmFree(set)
	if rv < 0 || d.l.psSetSearch(d.ps, d.search) < 0 {
		return errors.New("pocketsphinx: the search on the names model was refused")
	}
	d.lmNames = slices.Clone(words)
	d.lmSets++
	return nil
}

// ngramARPA is NGRAM_ARPA of ngram_file_type_t.
const ngramARPA = 1

// languageModel is the n-gram model inside the current search's model
// set, or 0 when the search has none (a grammar search).
func (d *decoder) languageModel() uintptr {
	set := d.l.psGetLM(d.ps, d.l.psGetSearch(d.ps))
	if set == 0 {
		return 0
	}
	itor := d.l.lmSetIter(set)
	if itor == 0 {
		return 0
	}
	defer d.l.lmIterFree(itor)
	var name uintptr
	return d.l.lmIterModel(itor, &name)
}

// decode runs one utterance through the decoder.
func (d *decoder) decode(ctx context.Context, pcm []int16, maxAlts int) (*speech.Transcript, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(pcm) == 0 {
		return &speech.Transcript{}, nil
	}
	// A new stream restarts the frame count, so that segment frames count
	// from this utterance's first sample.
	if d.l.psStartStrm(d.ps) < 0 || d.l.psStartUtt(d.ps) < 0 {
		return nil, errors.New("pocketsphinx: ps_start_utt failed")
	}
	// The whole utterance in one call, marked full: with -cmn current the
	// cepstral mean is then this utterance's own, not one left over from
	// the last speaker this decoder heard. Utterances are short (the VAD
	// cuts at 15 s), so ctx is only looked at before.
	if d.l.psProcessRaw(d.ps, &pcm[0], uintptr(len(pcm)), 0, 1) < 0 {
		d.l.psEndUtt(d.ps)
		return nil, errors.New("pocketsphinx: ps_process_raw failed")
	}
	if d.l.psEndUtt(d.ps) < 0 {
		return nil, errors.New("pocketsphinx: ps_end_utt failed")
	}
	var score int32
	if d.l.psGetHyp(d.ps, &score) == nil {
		return &speech.Transcript{}, nil // nothing heard
	}
	t := &speech.Transcript{Words: d.words(int64(len(pcm)) * 1000 / speech.SampleRate)}
	t.Alternatives = d.alternatives(t.Text(), maxAlts)
	return t, nil
}

// words reads the best path's segments, leaving out fillers.
func (d *decoder) words(audioMS int64) []speech.Word {
	var out []speech.Word
	for seg := d.l.psSegIter(d.ps); seg != 0; seg = d.l.psSegNext(seg) {
		text := wordText(goString(d.l.psSegWord(seg)))
		if text == "" {
			continue
		}
		var sf, ef, ascr, lscr, lback int32
		d.l.psSegFrames(seg, &sf, &ef)
		post := d.l.psSegProb(seg, &ascr, &lscr, &lback)
		out = append(out, speech.Word{
			Text:    text,
			StartMS: min(int64(sf)*frameMS, audioMS),
			EndMS:   min(int64(ef+1)*frameMS, audioMS),
			// With -bestpath yes the decoder always computes posteriors,
			// so a log posterior of 0 is a sure word, not a missing one.
			Confidence: confidence(d.l.logmathExp(d.lmath, post)),
		})
	}
	return out
}

func confidence(p float64) float64 {
	if p != p {
		return 0
	}
	return min(max(p, 0), 1)
}

// maxNbest bounds the A* search over the lattice, which can take long on
// a long utterance with many near-equal paths.
const maxNbest = 40

// alternatives are up to max distinct n-best readings other than best.
func (d *decoder) alternatives(best string, max int) []string {
	if max <= 0 {
		return nil
	}
	seen := map[string]bool{best: true}
	var alts []string
	nb := d.l.psNbest(d.ps)
	for i := 0; nb != 0 && i < maxNbest && len(alts) < max; i++ {
		var score int32
		text := hypText(goString(d.l.psNbestHyp(nb, &score)))
		if text != "" && !seen[text] {
			seen[text] = true
			alts = append(alts, text)
		}
		nb = d.l.psNbestNext(nb) // frees the iterator when it returns 0
	}
	if nb != 0 {
		d.l.psNbestFree(nb)
	}
	return alts
}

// wordText is a dictionary word as a transcript shows it: "" for fillers
// (<s>, </s>, <sil>, [NOISE], ++UM++) and without the "(2)" that marks a
// second pronunciation.
func wordText(w string) string {
	if w == "" || strings.ContainsAny(w[:1], "<[+") {
		return ""
	}
	if i := strings.IndexByte(w, '('); i > 0 && strings.HasSuffix(w, ")") {
		w = w[:i]
	}
	return w
}

// hypText cleans a whole n-best hypothesis word by word.
func hypText(h string) string {
	var words []string
	for _, w := range strings.Fields(h) {
		if t := wordText(w); t != "" {
			words = append(words, t)
		}
	}
	return strings.Join(words, " ")
}
