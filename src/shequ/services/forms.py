from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from shequ.core.bounds import form_field
from shequ.core.forms import ScopedModelForm, UserForm
from shequ.orgs.models import Organization, Post
from shequ.orgs.widgets import OrganizationPickerWidget, ResidentPickerWidget
from shequ.territory.models import Node

from .actions.requests import category_attributes
from .models import Channel, Datatype, DeadlineTier, RoutingRule, ServiceAttribute, ServiceCategory, ServiceRequest
from .pickers import CategoryChoiceField, CategorySelect, fileable_categories

# The category select of a filing form fetches the chosen category's questions into the block below it.
QUESTIONS_HTMX = {
    "hx-get": reverse_lazy("services:category_questions"),
    "hx-trigger": "change",
    "hx-target": "#category-questions",
    "hx-swap": "innerHTML",
}


class DeadlineTierForm(ScopedModelForm):
    class Meta:
        model = DeadlineTier
        fields = ["code", "name", "amount", "unit", "warn_percent"]


class ServiceCategoryForm(ScopedModelForm):
    class Meta:
        model = ServiceCategory
        fields = ["code", "name", "parent", "tier", "description", "keywords", "active", "public", "order"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parent: Any = self.fields["parent"]
        parent.queryset = ServiceCategory.objects.filter(parent__isnull=True)

    def clean_parent(self) -> Any:
        parent = self.cleaned_data.get("parent")
        if (
            parent is not None
            and self.instance.pk
            and (parent.pk == self.instance.pk or self.instance.children.exists())
        ):
            raise forms.ValidationError(_("A category with sub-categories stays at the top."))
        return parent

    def clean(self) -> Any:
        data = super().clean() or {}
        parent = data.get("parent")
        if data.get("public") and parent is not None and not parent.public:
            self.add_error(
                "public",
                _("“%(parent)s” is not public: its sub-categories cannot be public either.") % {"parent": parent.name},
            )
        return data


class ServiceAttributeForm(ScopedModelForm):
    category = CategoryChoiceField(label=_("Category"), parents_selectable=True)

    class Meta:
        model = ServiceAttribute
        fields = ["category", "code", "label", "datatype", "required", "description", "values", "order"]

    def clean(self) -> Any:
        data = super().clean() or {}
        values = data.get("values") or []
        if data.get("datatype") in (Datatype.SINGLEVALUELIST, Datatype.MULTIVALUELIST):
            ok = isinstance(values, list) and values and all(isinstance(v, dict) and v.get("key") for v in values)
            if not ok:
                self.add_error("values", _('A list needs its choices: [{"key": "...", "name": "..."}].'))
        return data


class RoutingRuleForm(ScopedModelForm):
    category = CategoryChoiceField(
        label=_("Category"),
        parents_selectable=True,
        required=False,
        empty_label=_("Every category"),
        help_text=_("Empty: every category without a rule of its own."),
    )

    class Meta:
        model = RoutingRule
        fields = ["node", "category", "organization", "post", "notes"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org: Any = self.fields["organization"]
        org.queryset = Organization.objects.filter(active=True)  # any organization may be made responsible
        org.widget = OrganizationPickerWidget()
        post: Any = self.fields["post"]
        post.queryset = Post.objects.current()
        self.fields["node"].queryset = Node.objects.restrict(self.user, "add", perm_model=RoutingRule)  # type: ignore[attr-defined]

    def clean(self) -> Any:
        data = super().clean() or {}
        post, org = data.get("post"), data.get("organization")
        if post is not None and org is not None and post.organization_id != org.pk:
            self.add_error("post", _("The post belongs to another organization."))
        return data


class FindResidentForm(forms.Form):
    find = forms.CharField(
        label=_("Find the resident"),
        max_length=30,
        help_text=_("A name, pinyin, phone number or full identity number."),
    )


class CategoryQuestionsForm(forms.Form):
    """The extra questions of one category, as typed fields named ``attr_<code>``."""

    def __init__(self, data: Any = None, *, category: ServiceCategory | None = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.category = category
        for attr in category_attributes(category) if category is not None else []:
            self.fields[f"attr_{attr.code}"] = attribute_field(attr)

    def has_required(self) -> bool:
        return any(field.required for field in self.fields.values())

    def answers(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {}
        result = {}
        for name in self.fields:
            value: Any = self.cleaned_data.get(name)
            if value not in (None, "", []):
                result[name.removeprefix("attr_")] = value.isoformat() if hasattr(value, "isoformat") else value
        return result


class FilingForm(forms.Form):
    """A form that files a request (the portal, the intake): the chosen category brings its questions, a
    second form (``self.questions``) shown under the category and checked with the rest, all at once.

    The page names the category whose questions it shows (``questions_for``, swapped in by htmx with the
    questions when the category changes): answers are read only for that category.  Without scripts the
    questions of a newly chosen category appear after the first submit; if one of them is required the
    form asks for them instead of filing, keeping everything typed."""

    category: Any

    def setup_questions(self) -> None:
        self.category_chosen = self.chosen_category()
        shown = self.is_bound and self.category_chosen is not None
        shown = shown and str(self.data.get("questions_for", "")) == str(self.category_chosen.pk)  # type: ignore[union-attr]
        self.questions = CategoryQuestionsForm(self.data if shown else None, category=self.category_chosen)

    def chosen_category(self) -> ServiceCategory | None:
        raw = self["category"].value()
        if isinstance(raw, ServiceCategory):
            return raw
        if raw in (None, "") or not str(raw).isdigit():
            return None
        field: Any = self.fields["category"]
        return field.queryset.filter(pk=int(raw)).first()

    def is_valid(self) -> bool:
        valid = super().is_valid()
        if self.questions.is_bound:
            return self.questions.is_valid() and valid
        if self.questions.has_required():
            if getattr(self, "_asked_questions", False):
                return False
            self._asked_questions = True
            self.add_error(
                None,
                _("Answer the questions about “%(name)s” below.") % {"name": self.category_chosen.name},  # type: ignore[union-attr]
            )
            return False
        return valid

    def attributes(self) -> dict[str, Any]:
        return self.questions.answers()


class IntakeForm(FilingForm):
    """One form for the window, the hotline and the grid: the extra questions follow the category."""

    category = CategoryChoiceField(label=_("Category"), widget=CategorySelect(attrs=QUESTIONS_HTMX))
    node = forms.ModelChoiceField(queryset=Node.objects.none(), label=_("Place"))
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[c for c in Channel.choices if c[0] in ("window", "hotline", "grid")]
    )
    resident = forms.ModelChoiceField(queryset=Node.objects.none(), label=_("Resident"), required=False)
    contact_name = form_field(ServiceRequest, "contact_name", label=_("Contact name"), required=False)
    phone = form_field(ServiceRequest, "phone", label=_("Phone"), required=False)
    address = form_field(ServiceRequest, "address", label=_("Address"), required=False)
    lat = form_field(ServiceRequest, "lat", label=_("Latitude"), required=False)  # −90…90, as the model says
    long = form_field(ServiceRequest, "long", label=_("Longitude"), required=False)
    photo = forms.FileField(label=_("Photo or document"), required=False)
    accept = forms.BooleanField(label=_("Accept now"), required=False, initial=True)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from shequ.core.widgets import NodePickerWidget
        from shequ.people.models import Resident

        self.user = user
        cat: Any = self.fields["category"]
        cat.queryset = fileable_categories()
        node: Any = self.fields["node"]
        node.queryset = Node.objects.restrict(user, "add", perm_model=ServiceRequest)
        node.widget = NodePickerWidget(action="add", model="services.servicerequest")
        resident: Any = self.fields["resident"]
        resident.queryset = Resident.objects.restrict(user, "view")
        resident.widget = ResidentPickerWidget()
        self.setup_questions()

    def clean(self) -> Any:
        data = super().clean() or {}
        if data.get("resident") is None and not (data.get("contact_name") or "").strip():
            self.add_error("contact_name", _("Choose the resident, or give a contact name."))
        return data


def attribute_field(attr: ServiceAttribute) -> forms.Field:
    kw: dict[str, Any] = {"label": attr.label, "required": attr.required, "help_text": attr.description}
    choices = [(str(v.get("key")), v.get("name") or v.get("key")) for v in attr.values or [] if isinstance(v, dict)]
    if attr.datatype == Datatype.NUMBER:
        return forms.DecimalField(**kw)
    if attr.datatype == Datatype.DATETIME:
        return forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), **kw)
    if attr.datatype == Datatype.TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **kw)
    if attr.datatype == Datatype.SINGLEVALUELIST:
        return forms.ChoiceField(choices=[("", "—"), *choices], **kw)
    if attr.datatype == Datatype.MULTIVALUELIST:
        return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **kw)
    return forms.CharField(max_length=200, **kw)


class AssignForm(UserForm):
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.filter(active=True),
        label=_("Responsible organization"),
        required=False,
        widget=OrganizationPickerWidget(),
        help_text=_("Empty: the organization the routing rules chose."),
    )


class ReasonForm(UserForm):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class NoteForm(UserForm):
    note = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}))


class CloseForm(UserForm):
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class RateForm(UserForm):
    rating = forms.TypedChoiceField(
        label=_("Rating"), coerce=int, choices=[(i, f"{i} ★") for i in range(5, 0, -1)], widget=forms.RadioSelect
    )
    comment = forms.CharField(label=_("Comment"), required=False, max_length=300)


class CommentForm(UserForm):
    text = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}))
    public = forms.BooleanField(label=_("Shown to the resident"), required=False)


class AttachForm(UserForm):
    file = forms.FileField(label=_("Photo or document"))
    public = forms.BooleanField(label=_("Shown to the resident"), required=False)


class SubTaskForm(UserForm):
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.filter(active=True), label=_("Organization"), widget=OrganizationPickerWidget()
    )
    instruction = forms.CharField(label=_("What to do"), max_length=500)


class SubTaskDoneForm(UserForm):
    result = forms.CharField(label=_("Result"), max_length=500)
    declined = forms.BooleanField(label=_("Decline (the result says why)"), required=False)


class MergeForm(UserForm):
    into = forms.ModelChoiceField(queryset=ServiceRequest.objects.none(), label=_("Original request"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        into: Any = self.fields["into"]
        into.queryset = ServiceRequest.objects.restrict(self.user, "view").filter(duplicate_of__isnull=True)
        into.widget = forms.TextInput()
        into.to_field_name = "code"
