"""Vector memory: FAISS (embedded default) and Redis backends behind one interface (base.py), the
embedding models (embeddings.py), branch lineage against fork leaks (lineage.py), a run's view of it
(agent_memory.py) and file ingestion (ingest.py). Heavy libraries load only when first used."""
