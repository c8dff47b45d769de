-- The SageMaker X-Amzn-SageMaker-Custom-Attributes header of the request, as the agent captured it.
ALTER TABLE captures ADD COLUMN IF NOT EXISTS custom_attributes VARCHAR;
