/**
 * What the cloud service keeps on the PostgreSQL its replicas share, beside the capture store, the
 * fleet state and the inbox: the API tokens and the replicas' API addresses.
 */
package dev.kiln.cloud.service.postgres;
