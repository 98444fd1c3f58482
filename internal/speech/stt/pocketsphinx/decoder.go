package pocketsphinx

import (
	"context"
	"errors"
	"fmt"
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
	// added are the words this decoder has had added beyond its
	// dictionary file; they stay until the dictionary is reloaded.
	added map[string]bool
	// reloads counts dictionary reloads, for tests.
	reloads int
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
		// Its log goes to stderr otherwise, a few hundred lines per decoder.
		"-logfn", "/dev/null",
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
	return d, nil
}

func (d *decoder) free() {
	if d.ps != 0 {
		d.l.psFree(d.ps)
		d.ps = 0
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

// setWords makes the added words exactly prons: it reloads the dictionary
// when words of another campaign are there (there is no way to remove
// one), then adds what is missing.
func (d *decoder) setWords(prons map[string]string) error {
	for w := range d.added {
		if _, ok := prons[w]; !ok {
			if d.l.psLoadDict(d.ps, d.dict, 0, 0) < 0 {
				return errors.New("pocketsphinx: reloading the dictionary failed")
			}
			clear(d.added)
			d.reloads++
			break
		}
	}
	var todo []string
	for w := range prons {
		if !d.added[w] {
			todo = append(todo, w)
		}
	}
	lm := d.languageModel()
	for i, w := range todo {
		// ps_add_word gives a new word the unigram probability of an
		// average word (weight 1 against uniform), too little for a name
		// that the table says again and again; "the highlander" beats
		// "Xylandra". Adding it to the n-gram model under the decoder's
		// model set first makes the set take the model's, higher,
		// probability for it.
		if lm != 0 && d.l.lmWid(lm, w) == d.l.lmUnknownID(lm) {
			d.l.lmAddWord(lm, w, nameWeight)
		}
		// Updating the search is costly; once, after the last word, is enough.
		update := int32(0)
		if i == len(todo)-1 {
			update = 1
		}
		if d.l.psAddWord(d.ps, w, prons[w], update) < 0 {
			return fmt.Errorf("pocketsphinx: adding %q with pronunciation %q failed", w, prons[w])
		}
		d.added[w] = true
	}
	return nil
}

// nameWeight is how much likelier than a uniformly chosen word of the
// vocabulary a campaign name is as a unigram: about as likely as a
// common noun.
const nameWeight = 50

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
