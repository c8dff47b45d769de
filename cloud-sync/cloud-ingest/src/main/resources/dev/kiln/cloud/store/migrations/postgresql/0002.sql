-- Tensors are stored out of line without compression. They are base64 text of float data, which
-- PostgreSQL's default (pglz) tries to compress on every insert and almost never can by the 25% it
-- needs to keep the result; measured, skipping that try doubles the rate of CNN-sized inserts.
ALTER TABLE captures ALTER COLUMN inputs SET STORAGE EXTERNAL, ALTER COLUMN outputs SET STORAGE EXTERNAL;
-- The SageMaker X-Amzn-SageMaker-Custom-Attributes header of the request, as the agent captured it.
ALTER TABLE captures ADD COLUMN custom_attributes TEXT;
