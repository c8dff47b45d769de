package dev.kiln.compiler.passes;

import java.util.Arrays;
import java.util.List;

/** Layout ops for constant folding: they move elements around but never change their values. */
final class Shapes {
  private Shapes() {}

  static ConstTensor reshape(
      dev.kiln.compiler.ir.proto.NodeProto node, List<ConstTensor> in, long opset) {
    ConstTensor data = in.get(0);
    long[] target;
    if (opset < 5) {
      target = Attributes.getInts(node, "shape");
    } else {
      ConstTensor shape = in.size() > 1 ? in.get(1) : null;
      target = shape == null || shape.floating() ? null : shape.ints();
    }
    if (target == null) {
      return null;
    }
    boolean allowZero = Attributes.getInt(node, "allowzero", 0) != 0;
    long[] dims = target.clone();
    int infer = -1;
    long known = 1;
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] == 0 && !allowZero) {
        if (i >= data.rank()) {
          return null;
        }
        dims[i] = data.dims()[i];
      }
      if (dims[i] == -1) {
        if (infer >= 0) {
          return null;
        }
        infer = i;
      } else if (dims[i] < 0) {
        return null;
      } else {
        known *= dims[i];
      }
    }
    if (infer >= 0) {
      if (known == 0 || data.size() % known != 0) {
        return null;
      }
      dims[infer] = data.size() / known;
    }
    return Broadcast.count(dims) == data.size() ? data.reshaped(dims) : null;
  }

  static ConstTensor unsqueeze(ConstTensor x, long[] axes) {
    if (axes == null) {
      return null;
    }
    int rank = x.rank() + axes.length;
    boolean[] inserted = new boolean[rank];
    for (long a : axes) {
      int axis = (int) (a < 0 ? a + rank : a);
      if (axis < 0 || axis >= rank || inserted[axis]) {
        return null;
      }
      inserted[axis] = true;
    }
    long[] dims = new long[rank];
    for (int i = 0, j = 0; i < rank; i++) {
      dims[i] = inserted[i] ? 1 : x.dims()[j++];
    }
    return x.reshaped(dims);
  }

  /** Squeeze; {@code axes == null} removes every dimension of size 1. */
  static ConstTensor squeeze(ConstTensor x, long[] axes) {
    int rank = x.rank();
    boolean[] drop = new boolean[rank];
    if (axes == null) {
      for (int i = 0; i < rank; i++) {
        drop[i] = x.dims()[i] == 1;
      }
    } else {
      for (long a : axes) {
        int axis = (int) (a < 0 ? a + rank : a);
        if (axis < 0 || axis >= rank || x.dims()[axis] != 1) {
          return null;
        }
        drop[axis] = true;
      }
    }
    long[] dims = new long[rank];
    int n = 0;
    for (int i = 0; i < rank; i++) {
      if (!drop[i]) {
        dims[n++] = x.dims()[i];
      }
    }
    return x.reshaped(Arrays.copyOf(dims, n));
  }

  static ConstTensor concat(List<ConstTensor> in, long axisAttr) {
    if (in.isEmpty() || axisAttr == Long.MIN_VALUE || in.contains(null)) {
      return null;
    }
    ConstTensor first = in.get(0);
    int rank = first.rank();
    int axis = (int) (axisAttr < 0 ? axisAttr + rank : axisAttr);
    if (axis < 0 || axis >= rank) {
      return null;
    }
    long[] dims = first.dims().clone();
    dims[axis] = 0;
    for (ConstTensor t : in) {
      if (t.dataType() != first.dataType() || t.rank() != rank) {
        return null;
      }
      for (int d = 0; d < rank; d++) {
        if (d != axis && t.dims()[d] != first.dims()[d]) {
          return null;
        }
      }
      dims[axis] += t.dims()[axis];
    }
    long outer = 1;
    for (int d = 0; d < axis; d++) {
      outer *= dims[d];
    }
    int total = Math.toIntExact(Broadcast.count(dims));
    double[] reals = first.floating() ? new double[total] : null;
    long[] ints = first.floating() ? null : new long[total];
    int pos = 0;
    for (long o = 0; o < outer; o++) {
      for (ConstTensor t : in) {
        int chunk = Math.toIntExact(t.size() / Math.max(outer, 1));
        int from = Math.toIntExact(o * chunk);
        if (reals != null) {
          System.arraycopy(t.reals(), from, reals, pos, chunk);
        } else {
          System.arraycopy(t.ints(), from, ints, pos, chunk);
        }
        pos += chunk;
      }
    }
    return new ConstTensor(first.dataType(), dims, reals, ints);
  }

  static ConstTensor gather(ConstTensor data, ConstTensor indices, long axisAttr) {
    if (indices.floating() || data.rank() == 0) {
      return null;
    }
    int rank = data.rank();
    int axis = (int) (axisAttr < 0 ? axisAttr + rank : axisAttr);
    if (axis < 0 || axis >= rank) {
      return null;
    }
    long axisDim = data.dims()[axis];
    long outer = 1;
    for (int d = 0; d < axis; d++) {
      outer *= data.dims()[d];
    }
    long inner = 1;
    for (int d = axis + 1; d < rank; d++) {
      inner *= data.dims()[d];
    }
    long[] dims = new long[rank - 1 + indices.rank()];
    System.arraycopy(data.dims(), 0, dims, 0, axis);
    System.arraycopy(indices.dims(), 0, dims, axis, indices.rank());
    System.arraycopy(data.dims(), axis + 1, dims, axis + indices.rank(), rank - axis - 1);
    int n = indices.size();
    int[] source = new int[Math.toIntExact(outer * n * inner)];
    int pos = 0;
    for (long o = 0; o < outer; o++) {
      for (int k = 0; k < n; k++) {
        long idx = indices.ints()[k];
        if (idx < 0) {
          idx += axisDim;
        }
        if (idx < 0 || idx >= axisDim) {
          return null;
        }
        long base = (o * axisDim + idx) * inner;
        for (long i = 0; i < inner; i++) {
          source[pos++] = (int) (base + i);
        }
      }
    }
    return data.gather(source, dims);
  }

  /** Transpose; {@code perm == null} reverses the axes, as ONNX specifies. */
  static ConstTensor transpose(ConstTensor x, long[] perm) {
    int rank = x.rank();
    int[] p = new int[rank];
    if (perm == null || perm.length == 0) {
      for (int i = 0; i < rank; i++) {
        p[i] = rank - 1 - i;
      }
    } else {
      if (perm.length != rank) {
        return null;
      }
      boolean[] seen = new boolean[rank];
      for (int i = 0; i < rank; i++) {
        if (perm[i] < 0 || perm[i] >= rank || seen[(int) perm[i]]) {
          return null;
        }
        p[i] = (int) perm[i];
        seen[p[i]] = true;
      }
    }
    long[] dims = new long[rank];
    for (int i = 0; i < rank; i++) {
      dims[i] = x.dims()[p[i]];
    }
    long[] inStrides = ConstTensor.strides(x.dims());
    int n = x.size();
    int[] source = new int[n];
    int[] coord = new int[rank];
    for (int i = 0; i < n; i++) {
      long src = 0;
      for (int d = 0; d < rank; d++) {
        src += coord[d] * inStrides[p[d]];
      }
      source[i] = (int) src;
      for (int d = rank - 1; d >= 0; d--) {
        if (++coord[d] < dims[d]) {
          break;
        }
        coord[d] = 0;
      }
    }
    return x.gather(source, dims);
  }
}
