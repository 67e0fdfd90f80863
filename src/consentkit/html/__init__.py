"""The HTML layer: streaming rewriter, banner injection, CSP, body codecs. Pure."""

from .responder import HtmlResponder as HtmlResponder
from .rewriter import HtmlRewriter as HtmlRewriter

__all__ = ["HtmlResponder", "HtmlRewriter"]
