// The microphone's audio thread: it turns the context's Float32 samples
// into frames of mono PCM16LE, about 100 ms each, at the context's own
// sample rate (the server resamples), and measures each frame's level for
// the meter. Frames go to the page by transfer, not by copy.
//
// The page may post "flush": the partial frame is sent as it is, then
// {flushed: true}, so that stopping loses none of the last words.

class PCM16Frames extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const ms = (options.processorOptions && options.processorOptions.frameMs) || 100;
    this.size = Math.max(128, Math.round((sampleRate * ms) / 1000));
    this.fresh();
    this.done = false;
    this.port.onmessage = (e) => {
      if (e.data !== "flush") return;
      this.send(this.at);
      this.port.postMessage({ flushed: true });
      this.done = true;
    };
  }

  fresh() {
    this.frame = new Int16Array(this.size);
    this.at = 0;
    this.sumSq = 0;
    this.peak = 0;
  }

  send(n) {
    if (n > 0) {
      const pcm = this.frame.slice(0, n).buffer;
      this.port.postMessage({ pcm, rms: Math.sqrt(this.sumSq / n), peak: this.peak }, [pcm]);
    }
    this.fresh();
  }

  process(inputs) {
    if (this.done) return false;
    const input = inputs[0];
    if (!input || input.length === 0) return true;
    const channels = input.length;
    const len = input[0].length;
    for (let i = 0; i < len; i++) {
      // A device that ignores channelCount: 1 still gives one voice.
      let v = 0;
      for (let c = 0; c < channels; c++) v += input[c][i];
      v /= channels;
      if (v > 1) v = 1;
      else if (v < -1) v = -1;
      this.sumSq += v * v;
      const a = v < 0 ? -v : v;
      if (a > this.peak) this.peak = a;
      // Little-endian on every platform a browser runs on; the page
      // sends the buffer's bytes as they are.
      this.frame[this.at++] = v < 0 ? v * 0x8000 : v * 0x7fff;
      if (this.at === this.size) this.send(this.size);
    }
    return true;
  }
}

registerProcessor("pcm16-frames", PCM16Frames);
