"""Splitting text into overlapping chunks for memory (AutoGPT's data_ingestion.py used a sliding
window of 4000 characters with 200 of overlap). langchain-text-splitters cuts at paragraph, line
and word boundaries first, so chunks stay readable when recalled."""

from __future__ import annotations

from autogpt_graph.graph.errors import AgentError


def chunk_text(text: str, chunk_size: int = 4000, overlap: int = 200) -> list[str]:
    if chunk_size <= 0:
        raise AgentError("--chunk-size must be a positive number of characters.")
    if not 0 <= overlap < chunk_size:
        raise AgentError(f"--overlap must be at least 0 and less than --chunk-size ({chunk_size}).")
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=chunk_size, chunk_overlap=overlap)
    return [c for c in splitter.split_text(text) if c.strip()]
