package dev.kiln.compiler.passes;

/**
 * What one pass did, for the compile report.
 *
 * @param pass the pass name
 * @param changed whether the model was modified
 * @param nodesBefore top-level node count before the pass
 * @param nodesAfter top-level node count after the pass
 * @param detail a short human-readable summary, e.g. "folded 3 Conv+BatchNormalization pairs"
 */
public record PassResult(
    String pass, boolean changed, int nodesBefore, int nodesAfter, String detail) {

  static PassResult unchanged(String pass, int nodes) {
    return new PassResult(pass, false, nodes, nodes, "nothing to do");
  }
}
