/** The cloud service's API: what a page of the device list costs over a large registry. */
package dev.kiln.bench.cloud;
