/**
 * The Open Inference Protocol (KServe v2) over REST: request and response bodies, JSON and the
 * binary tensor extension, and the metadata documents. Pure codecs over bytes and Kiln tensors;
 * routing and the HTTP exchange stay in {@code dev.kiln.agent.http}.
 */
package dev.kiln.agent.http.oip;
