from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from config.enqueue import task_enqueue
from recommendations import engine, tasks
from recommendations.charts import metrics_chart_svg
from recommendations.media_servers import admin as media_servers_admin  # noqa: F401 (registers)
from recommendations.models import ModelVersion, TrendingTitle


def _ndcg(version: ModelVersion, model: str) -> str:
    value = version.metrics.get("ranking", {}).get(model, {}).get("ndcg")
    return f"{value:.4f}" if value is not None else "—"


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "status",
        "created_at",
        "rmse",
        "ndcg_ours",
        "ndcg_most_popular",
        "ndcg_svd_rating",
        "coverage",
        "gate_reason",
    ]
    list_filter = ["status"]
    readonly_fields = [
        "status",
        "params",
        "data_counts",
        "metrics",
        "timings",
        "artifact",
        "artifact_sha256",
        "heartbeat_at",
        "gate_reason",
        "error",
        "signals_seen",
        "created_at",
        "trained_at",
        "activated_at",
    ]
    actions = ["activate"]
    change_list_template = "admin/recommendations/modelversion/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="RMSE")
    def rmse(self, version: ModelVersion) -> str:
        value = version.metrics.get("rating", {}).get("rmse")
        return f"{value:.4f}" if value is not None else "—"

    @admin.display(description="NDCG@10 ours")
    def ndcg_ours(self, version: ModelVersion) -> str:
        return _ndcg(version, "ours")

    @admin.display(description="NDCG@10 MostPopular")
    def ndcg_most_popular(self, version: ModelVersion) -> str:
        return _ndcg(version, "most_popular")

    @admin.display(description="NDCG@10 SVD by rating")
    def ndcg_svd_rating(self, version: ModelVersion) -> str:
        return _ndcg(version, "svd_rating")

    @admin.display(description="Coverage")
    def coverage(self, version: ModelVersion) -> str:
        value = version.metrics.get("ranking", {}).get("ours", {}).get("coverage")
        return f"{value:.1%}" if value is not None else "—"

    def get_urls(self) -> list:
        return [
            path(
                "retrain/",
                self.admin_site.admin_view(self.retrain_view),
                name="recommendations_modelversion_retrain",
            ),
            *super().get_urls(),
        ]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse:
        versions = list(ModelVersion.objects.exclude(metrics={}).order_by("created_at")[:50])
        extra = {
            "chart": metrics_chart_svg(versions),
            "serving_problem": engine.serving_problem(),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context=extra)

    def retrain_view(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST":
            if task_enqueue(tasks.train_model):
                self.message_user(
                    request,
                    "Training queued. A new version appears here when the worker has finished.",
                    messages.SUCCESS,
                )
            else:
                self.message_user(
                    request,
                    "Training not queued: the task queue is unreachable. Try again later; "
                    "the nightly training runs as planned.",
                    messages.ERROR,
                )
        return HttpResponseRedirect(reverse("admin:recommendations_modelversion_changelist"))

    @admin.action(description="Activate this version")
    def activate(
        self, request: HttpRequest, queryset: QuerySet[ModelVersion]
    ) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(request, "Choose exactly one version to activate.", messages.ERROR)
            return None
        version = queryset.get()
        if version.status not in (ModelVersion.Status.READY, ModelVersion.Status.RETIRED):
            self.message_user(
                request, f"{version} cannot be activated: it is {version.status}.", messages.ERROR
            )
            return None
        if request.POST.get("confirm") == "yes":
            try:
                engine.version_activate(version=version)
            except engine.ArtifactUnreadable as exc:
                self.message_user(request, f"Not activated: {exc}", messages.ERROR)
                return None
            if task_enqueue(tasks.precompute_recommendations):
                self.message_user(request, f"{version} now serves.", messages.SUCCESS)
            else:
                # Pages fold signals in as they are built; stale candidates catch up later.
                self.message_user(
                    request,
                    f"{version} now serves. The task queue is unreachable: profiles' "
                    "candidates are refreshed when it is back.",
                    messages.WARNING,
                )
            return None
        active = ModelVersion.objects.filter(status=ModelVersion.Status.ACTIVE).first()
        return TemplateResponse(
            request,
            "admin/recommendations/modelversion/activate_confirm.html",
            {
                **self.admin_site.each_context(request),
                "title": f"Activate {version}?",
                "version": version,
                "active": active,
                "opts": self.model._meta,
            },
        )


@admin.register(TrendingTitle)
class TrendingTitleAdmin(admin.ModelAdmin):
    list_display = ["title", "score", "viewers_today", "computed_at"]
    list_select_related = ["title"]
    search_fields = ["title__name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
