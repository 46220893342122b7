"""The trade-off engine: pure Python, no web framework, no database.

from advisor.engine import evaluate, AnswersError
result = evaluate({"experience": "novice", ...})
"""

from advisor.engine.answers import AnswersError
from advisor.engine.evaluate import ENGINE_VERSION, evaluate
from advisor.engine.knowledge import KnowledgeBase, KnowledgeBaseError, default_knowledge_base, load_knowledge_base

__all__ = [
    "ENGINE_VERSION",
    "AnswersError",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "default_knowledge_base",
    "evaluate",
    "load_knowledge_base",
]
