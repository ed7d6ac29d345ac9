"""Benchmark: the crowd pipeline's hot paths against a bare view, in one run.

    venv/bin/python bench/crowd.py [--tasks 60] [--photos-per-task 20]

Each in-house annotator reserves a task at /crowd/work/, opens the task page, posts
answers (stored durably in the request's transaction), and the submission is processed
(labels, counters, aggregation) as the Celery task would. Figures are medians in
milliseconds and ratios to the bare /healthz view measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import re

from common import django_with_test_database, median_ms, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=60)
    parser.add_argument("--photos-per-task", type=int, default=20)
    args = parser.parse_args()
    django_with_test_database(lambda: run(args))


def run(args) -> None:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from opensurfaces.crowd.services.dispatch import dispatch_all
    from opensurfaces.crowd.services.submissions import submission_process
    from opensurfaces.crowd.tests.helpers import CHROME, configure, scene_photos

    settings.CROWD_MARKETPLACE = "local"
    settings.CROWD_LEFTOVER_SECONDS = 0
    configure(contents_per_hit=args.photos_per_task, num_outputs_max=1)
    scene_photos(args.tasks * args.photos_per_task)
    dispatch_all()

    users = get_user_model().objects
    clients = []
    for n in range(args.tasks):
        client = Client(HTTP_USER_AGENT=CHROME)
        client.force_login(users.create_user(f"annotator{n}", password="x"))
        client.get("/crowd/work/")
        clients.append(client)

    baseline = median_ms(lambda: clients[0].get("/healthz"), args.tasks)
    queue = iter(clients)
    urls: list[tuple[Client, str]] = []

    def reserve():
        client = next(queue)
        urls.append((client, client.post("/crowd/work/")["Location"]))

    reserve_ms = median_ms(reserve, args.tasks)
    pages = iter(urls)
    opened = []

    def open_page():
        client, url = next(pages)
        html = client.get(url).content.decode()
        match = re.search(
            r'<script id="task-config" type="application/json">(.*?)</script>', html, re.S
        )
        opened.append((client, url, json.loads(match.group(1))))

    page_ms = median_ms(open_page, args.tasks)
    posts = iter(opened)

    def submit():
        client, url, config = next(posts)
        results = {str(c["id"]): True for c in config["contents"]}
        response = client.post(
            url,
            {
                "token": config["token"],
                "results": json.dumps(results),
                "version": json.dumps("1.0"),
                "time_ms": "5000",
            },
        )
        assert response.status_code == 200, response.content

    post_ms = median_ms(submit, args.tasks)
    from opensurfaces.crowd.models import Submission

    pending = iter(list(Submission.objects.values_list("pk", flat=True)))
    process_ms = median_ms(lambda: submission_process(submission_id=next(pending)), args.tasks)
    report(
        f"{args.tasks} tasks of {args.photos_per_task} photos on {connection.vendor} (median)",
        [
            ("bare view /healthz (baseline)", baseline),
            ("reserve the next task (POST /crowd/work/)", reserve_ms),
            ("open the task page", page_ms),
            ("submit answers (stored before 'success')", post_ms),
            ("process a submission (the Celery task's work)", process_ms),
        ],
        baseline,
    )


if __name__ == "__main__":
    main()
