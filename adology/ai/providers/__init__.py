"""Remote AI providers: OpenAI (:mod:`.openai_provider`) and Amazon Bedrock (:mod:`.bedrock_provider`).

Each module is imported on its own, by name, so using one provider never loads the other's SDK.
Both share the prompts and output checks of :mod:`.prompts`, the retry policy of :mod:`.calls`
and the creative handling of :mod:`.media`.
"""
