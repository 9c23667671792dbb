"""Note templates: definitions, loading, validation, hashing and figure extraction."""

# The windows import from here; everything else imports from the module that owns a name.
from models.templates.definitions import (
    EXTRACT_TAGS,
    Condition,
    Derivation,
    FieldDef,
    FieldKind,
    Option,
    Section,
    Template,
    TemplateDefinitionError,
    UnknownTemplateError,
)
from models.templates.extraction import (
    ExtractedFigures,
    PartStatusChange,
    Reevaluation,
    TargetRating,
    VitalsReading,
    extract_figures,
)
from models.templates.hashing import canonical_json, content_hash
from models.templates.loading import TemplateRegistry, load_templates
from models.templates.validation import Problem, derive_values, strip_private, validate_note

__all__ = [
    "EXTRACT_TAGS",
    "Condition",
    "Derivation",
    "ExtractedFigures",
    "FieldDef",
    "FieldKind",
    "Option",
    "PartStatusChange",
    "Problem",
    "Reevaluation",
    "Section",
    "TargetRating",
    "Template",
    "TemplateDefinitionError",
    "TemplateRegistry",
    "UnknownTemplateError",
    "VitalsReading",
    "canonical_json",
    "content_hash",
    "derive_values",
    "extract_figures",
    "load_templates",
    "strip_private",
    "validate_note",
]
