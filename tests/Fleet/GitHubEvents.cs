using Gantry.Engine.Documents;
using Gantry.Engine.Schema;

namespace Gantry.Testing.Fleet;

/// <summary>
/// GitHub webhook payloads with the fields and values GitHub really sends (docs.github.com
/// "Webhook events and payloads": pull_request closed, check_suite completed, status), trimmed
/// of fields Gantry never reads. A merged pull request says mergeable null and mergeable_state
/// unknown, as GitHub does once it is merged.
/// </summary>
public static class GitHubEvents
{
    public const string Repository = "opensky/opensky";
    public const string HeadSha = "6dcb09b5b57875f334f61aebed695e2e4193db5e";
    public const string MergeSha = "e5bd3914e2e596debea16f433f57875b5b90bcd6";

    /// <summary>The <c>pull_request</c> event GitHub sends when a pull request from fix-the-bug into <paramref name="baseBranch"/> is merged.</summary>
    public static string PullRequestMerged(string baseBranch, string headSha = HeadSha, string repository = Repository, long number = 7, string mergeSha = MergeSha) => $$"""
        {
          "action": "closed",
          "number": {{number}},
          "pull_request": {
            "url": "https://api.github.com/repos/{{repository}}/pulls/{{number}}",
            "id": 1858431302,
            "number": {{number}},
            "state": "closed",
            "locked": false,
            "title": "Fix the bug",
            "user": { "login": "developer", "type": "User" },
            "created_at": "2026-11-28T09:12:01Z",
            "updated_at": "2026-11-28T10:40:22Z",
            "closed_at": "2026-11-28T10:40:21Z",
            "merged_at": "2026-11-28T10:40:21Z",
            "merge_commit_sha": "{{mergeSha}}",
            "head": { "label": "opensky:fix-the-bug", "ref": "fix-the-bug", "sha": "{{headSha}}", "user": { "login": "opensky" }, "repo": {{RepositoryObject(repository)}} },
            "base": { "label": "opensky:{{baseBranch}}", "ref": "{{baseBranch}}", "sha": "9049f1265b7d61be4a8904a9a27120d2064dab3b", "user": { "login": "opensky" }, "repo": {{RepositoryObject(repository)}} },
            "draft": false,
            "merged": true,
            "mergeable": null,
            "rebaseable": null,
            "mergeable_state": "unknown",
            "merged_by": { "login": "teammate", "type": "User" },
            "comments": 1,
            "review_comments": 0,
            "commits": 1,
            "additions": 1,
            "deletions": 1,
            "changed_files": 1
          },
          "repository": {{RepositoryObject(repository)}},
          "sender": { "login": "teammate", "type": "User" }
        }
        """;

    /// <summary>The <c>check_suite</c> event GitHub sends when an app's suite on <paramref name="headSha"/> completes.</summary>
    public static string CheckSuiteCompleted(string headSha, string conclusion, string app = "GitHub Actions", string slug = "github-actions", string repository = Repository) => $$"""
        {
          "action": "completed",
          "check_suite": {
            "id": 118578147,
            "node_id": "MDEwOkNoZWNrU3VpdGUxMTg1NzgxNDc=",
            "head_branch": "fix-the-bug",
            "head_sha": "{{headSha}}",
            "status": "completed",
            "conclusion": "{{conclusion}}",
            "url": "https://api.github.com/repos/{{repository}}/check-suites/118578147",
            "before": "6113728f27ae82c7b1a177c8d03f9e96e0adf246",
            "after": "{{headSha}}",
            "pull_requests": [
              { "url": "https://api.github.com/repos/{{repository}}/pulls/7", "id": 1858431302, "number": 7,
                "head": { "ref": "fix-the-bug", "sha": "{{headSha}}", "repo": { "id": 1296269, "url": "https://api.github.com/repos/{{repository}}", "name": "opensky" } },
                "base": { "ref": "hotfix/3.0.1", "sha": "9049f1265b7d61be4a8904a9a27120d2064dab3b", "repo": { "id": 1296269, "url": "https://api.github.com/repos/{{repository}}", "name": "opensky" } } }
            ],
            "app": { "id": 15368, "slug": "{{slug}}", "node_id": "MDM6QXBwMTUzNjg=", "owner": { "login": "github" }, "name": "{{app}}" },
            "created_at": "2026-11-28T09:12:30Z",
            "updated_at": "2026-11-28T09:19:44Z",
            "latest_check_runs_count": 2,
            "check_runs_url": "https://api.github.com/repos/{{repository}}/check-suites/118578147/check-runs",
            "head_commit": { "id": "{{headSha}}", "tree_id": "31b122c26a97cf9af023e9ddab94a82c6e77b0ea", "message": "Fix the bug", "timestamp": "2026-11-28T09:11:58Z" }
          },
          "repository": {{RepositoryObject(repository)}},
          "sender": { "login": "github-actions[bot]", "type": "Bot" }
        }
        """;

    /// <summary>The <c>status</c> event GitHub sends when a commit status (a CI's +1) is set on <paramref name="sha"/>.</summary>
    public static string Status(string sha, string state, string context = "ci/test-bot", string repository = Repository) => $$"""
        {
          "id": 214015194,
          "sha": "{{sha}}",
          "name": "{{repository}}",
          "target_url": "https://ci.example.com/builds/1234",
          "context": "{{context}}",
          "description": "The build {{(state == "success" ? "succeeded" : "failed")}}",
          "state": "{{state}}",
          "commit": { "sha": "{{sha}}", "commit": { "message": "Fix the bug" } },
          "branches": [ { "name": "fix-the-bug", "commit": { "sha": "{{sha}}", "url": "https://api.github.com/repos/{{repository}}/commits/{{sha}}" }, "protected": false } ],
          "created_at": "2026-11-28T09:19:44Z",
          "updated_at": "2026-11-28T09:19:44Z",
          "repository": {{RepositoryObject(repository)}},
          "sender": { "login": "test-bot", "type": "User" }
        }
        """;

    /// <summary>
    /// The <c>pull_request_review</c> event GitHub sends when <paramref name="reviewer"/> submits a review
    /// (state approved, changes_requested or commented) of <paramref name="commit"/>, or with
    /// <paramref name="action"/> dismissed when it is dismissed.
    /// </summary>
    public static string Review(string baseBranch, string reviewer, string state, string commit = HeadSha, string action = "submitted", long number = 7, string repository = Repository) => $$"""
        {
          "action": "{{action}}",
          "review": {
            "id": 80,
            "user": { "login": "{{reviewer}}", "type": "{{(reviewer.EndsWith("[bot]", StringComparison.Ordinal) ? "Bot" : "User")}}" },
            "body": "{{(state == "approved" ? "+1" : "see comments")}}",
            "commit_id": "{{commit}}",
            "submitted_at": "2026-11-28T10:20:00Z",
            "state": "{{state}}",
            "author_association": "COLLABORATOR"
          },
          "pull_request": {
            "url": "https://api.github.com/repos/{{repository}}/pulls/{{number}}",
            "number": {{number}},
            "state": "open",
            "title": "Fix the bug",
            "head": { "ref": "fix-the-bug", "sha": "{{commit}}" },
            "base": { "ref": "{{baseBranch}}", "sha": "9049f1265b7d61be4a8904a9a27120d2064dab3b" }
          },
          "repository": {{RepositoryObject(repository)}},
          "sender": { "login": "{{reviewer}}", "type": "User" }
        }
        """;

    /// <summary>The payload as the plain value the engine journals (what the webhook receiver delivers).</summary>
    public static object? Plain(string json) => PlainValue.FromDoc(DocumentReader.Parse(json, "payload.json"));

    private static string RepositoryObject(string fullName) => $$"""
        { "id": 1296269, "node_id": "MDEwOlJlcG9zaXRvcnkxMjk2MjY5", "name": "{{fullName.Split('/')[1]}}", "full_name": "{{fullName}}", "private": false, "owner": { "login": "{{fullName.Split('/')[0]}}", "type": "Organization" }, "html_url": "https://github.com/{{fullName}}", "url": "https://api.github.com/repos/{{fullName}}", "git_url": "git://github.com/{{fullName}}.git", "ssh_url": "git@github.com:{{fullName}}.git", "clone_url": "https://github.com/{{fullName}}.git", "default_branch": "develop" }
        """;
}
