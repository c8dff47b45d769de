package dev.kiln.compiler.quant;

/**
 * Symmetric int8 weights with one scale per slice along {@code axis} (zero point 0).
 *
 * @param values the int8 weights in the original layout
 * @param scales one per slice along the axis (one in total when per-tensor)
 */
record ChannelWeights(byte[] values, float[] scales) {

  /**
   * @param perChannel one scale per slice of {@code axis}; otherwise one for the whole tensor
   * @param reduceRange 7-bit weights ([-63, 63]) so VPMADDUBSW's 16-bit pair sums cannot saturate
   */
  static ChannelWeights quantize(
      float[] w, long[] dims, int axis, boolean perChannel, boolean reduceRange) {
    int channels = perChannel ? (int) dims[axis] : 1;
    long inner = 1;
    for (int d = axis + 1; d < dims.length; d++) {
      inner *= dims[d];
    }
    int qmax = reduceRange ? 63 : 127;
    float[] maxAbs = new float[channels];
    for (int i = 0; i < w.length; i++) {
      int c = channel(i, inner, channels, perChannel);
      maxAbs[c] = Math.max(maxAbs[c], Math.abs(w[i]));
    }
    float[] scales = new float[channels];
    for (int c = 0; c < channels; c++) {
      scales[c] = maxAbs[c] > 0 ? maxAbs[c] / qmax : 1f;
    }
    byte[] q = new byte[w.length];
    for (int i = 0; i < w.length; i++) {
      // Half to even, as QuantizeLinear rounds.
      long v = (long) Math.rint(w[i] / scales[channel(i, inner, channels, perChannel)]);
      q[i] = (byte) Math.max(-qmax, Math.min(qmax, v));
    }
    return new ChannelWeights(q, scales);
  }

  private static int channel(int i, long inner, int channels, boolean perChannel) {
    return perChannel ? (int) ((i / inner) % channels) : 0;
  }
}
