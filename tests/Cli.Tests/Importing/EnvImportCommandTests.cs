using Gantry.Engine.Loading;
using Gantry.Engine.Model;
using Gantry.Providers.LoadBalancers.HAProxy;

namespace Gantry.Cli.Tests.Importing;

/// <summary><c>gantry env import</c> on inventories, HAProxy configurations and host lists as teams have them.</summary>
public sealed class EnvImportCommandTests : IDisposable
{
    private readonly TempWorkspace _workspace = new();

    public void Dispose() => _workspace.Dispose();

    private const string ProductionIni = """
        # Production inventory, maintained by ops
        [all:vars]
        ansible_user=deploy
        ansible_python_interpreter=/usr/bin/python3

        [web]
        web[01:04].prod.example.com ansible_port=2222   # the app servers
        web05.prod.example.com ansible_host=10.0.1.15 ansible_port=2222 http_port=8081

        [db]
        db1.prod.example.com ansible_host=10.0.2.11

        ; legacy box, still serves /reports
        [legacy]
        reports.example.com:2200 ansible_user=root ansible_become=true

        [web:vars]
        http_port=8080
        app_env="production west"

        [prod:children]
        web
        db
        """;

    [Fact]
    public void Import_AnsibleIni_WritesEveryGroupHostAndVarAndTheResultLoads()
    {
        var inventory = _workspace.Write("inventory.ini", ProductionIni);

        var result = CliTestApp.Run("env", "import", inventory, "--id", "prod");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal($"""
            # Imported by `gantry env import` from {DocumentLoader.DisplayPath(inventory)} (ansible inventory).
            # Check deploy: (root, restart, health) and add repository: before the first deploy.
            # Note: ansible_become is Ansible's own and not carried over (reports.example.com)
            # Note: ansible_python_interpreter is Ansible's own and not carried over (web01.prod.example.com, web02.prod.example.com, web03.prod.example.com, web04.prod.example.com, web05.prod.example.com, db1.prod.example.com, reports.example.com)
            id: prod
            load_balancer: {"{"} provider: none, min_live_groups: 0 {"}"}
            groups:
              web: {"{"} hosts: [web01.prod.example.com, web02.prod.example.com, web03.prod.example.com, web04.prod.example.com, web05.prod.example.com] {"}"}
              db: {"{"} hosts: [db1.prod.example.com] {"}"}
              legacy: {"{"} hosts: [reports.example.com] {"}"}
            hosts:
              web01.prod.example.com: {"{"} address: web01.prod.example.com, user: deploy, port: 2222, vars: {"{"} app_env: "production west", http_port: "8080" {"}"} {"}"}
              web02.prod.example.com: {"{"} address: web02.prod.example.com, user: deploy, port: 2222, vars: {"{"} app_env: "production west", http_port: "8080" {"}"} {"}"}
              web03.prod.example.com: {"{"} address: web03.prod.example.com, user: deploy, port: 2222, vars: {"{"} app_env: "production west", http_port: "8080" {"}"} {"}"}
              web04.prod.example.com: {"{"} address: web04.prod.example.com, user: deploy, port: 2222, vars: {"{"} app_env: "production west", http_port: "8080" {"}"} {"}"}
              web05.prod.example.com: {"{"} address: 10.0.1.15, user: deploy, port: 2222, vars: {"{"} app_env: "production west", http_port: "8081" {"}"} {"}"}
              db1.prod.example.com: {"{"} address: 10.0.2.11, user: deploy {"}"}
              reports.example.com: {"{"} address: reports.example.com, user: root, port: 2200 {"}"}
            ssh:
              known_hosts: prod.known_hosts   # next to this file; fill with ssh-keyscan web01.prod.example.com web02.prod.example.com web03.prod.example.com ... >> prod.known_hosts
            deploy:
              root: /srv/app   # where releases/ and current are on every host
              restart: sudo systemctl restart app   # the command that restarts your service

            """.ReplaceLineEndings("\n"), result.Output.ReplaceLineEndings("\n") + "\n");
        var loaded = DocumentLoader.LoadEnvironment(result.Output, "prod.yaml");
        Assert.Empty(loaded.Diagnostics);
        Assert.Equal(["web", "db", "legacy"], loaded.Value!.Groups.Keys);
        Assert.Equal((2200, "root"), (loaded.Value.Hosts["reports.example.com"].Port, loaded.Value.Hosts["reports.example.com"].User));
    }

    [Fact]
    public void Import_AnsibleIniWithParentGroup_TakesTheChildrensHostsIntoOneGroup()
    {
        var inventory = _workspace.Write("inventory.ini", ProductionIni);
        var output = Path.Combine(_workspace.Root, "workflows", "environments", "prod.yaml");

        var result = CliTestApp.Run("env", "import", inventory, "--groups", "prod,legacy", "--output", output);

        Assert.Equal(0, result.ExitCode);
        var environment = Load(output);
        Assert.Equal("prod", environment.Id);
        Assert.Equal(6, environment.Groups["prod"].Hosts.Count);
        Assert.Equal(["reports.example.com"], environment.Groups["legacy"].Hosts);
        Assert.Contains($"wrote {output}: environment prod, 7 hosts in 2 groups", result.Output);
    }

    [Fact]
    public void Import_AnsibleYaml_ReadsChildrenRangesEmptyHostsAndLiftsTheSharedUserIntoSsh()
    {
        var inventory = _workspace.Write("hosts.yml", """
            ---
            all:
              vars:
                ansible_user: deploy
                ansible_ssh_private_key_file: ~/.ssh/deploy_ed25519
              children:
                webservers:
                  hosts:
                    web[1:3]:
                    web4:
                      ansible_host: 10.0.1.14
                      http_port: 8081   # the odd one
                  vars:
                    http_port: 8080
                dbservers:
                  hosts:
                    db1: { ansible_host: 10.0.2.11, ansible_port: 2201 }
            """);
        var output = Path.Combine(_workspace.Root, "staging.yaml");

        var result = CliTestApp.Run("env", "import", inventory, "-o", output);

        Assert.Equal(0, result.ExitCode);
        var environment = Load(output);
        Assert.Equal("staging", environment.Id);
        Assert.Equal(["web1", "web2", "web3", "web4"], environment.Groups["webservers"].Hosts);
        Assert.Equal(["db1"], environment.Groups["dbservers"].Hosts);
        Assert.Equal(("deploy", 22, "~/.ssh/deploy_ed25519"), (environment.Ssh.User, environment.Ssh.Port, environment.Ssh.KeyFile));
        Assert.Equal(("10.0.1.14", "8081"), (environment.Hosts["web4"].Address, environment.Hosts["web4"].Vars["http_port"]?.ToString()));
        Assert.Equal(("web1", "8080"), (environment.Hosts["web1"].Address, environment.Hosts["web1"].Vars["http_port"]?.ToString()));
        Assert.Equal(2201, environment.Hosts["db1"].Port);
        Assert.Null(environment.Hosts["web1"].User);
    }

    private const string HAProxyConfig = """
        global
            log /dev/log local0
            chroot /var/lib/haproxy
            stats socket /run/haproxy/admin.sock mode 660 level admin expose-fd listeners
            stats timeout 30s
            user haproxy

        defaults
            mode http
            timeout connect 5s

        frontend www
            bind *:80
            default_backend app

        backend app
            balance roundrobin
            option httpchk GET /health
            server web1 10.0.1.11:8080 check inter 2s
            server web2 10.0.1.12:8080 check
            server web3 10.0.1.13:8080 check   # added in March
            # server web4 10.0.1.14:8080 check   (retired)
            server web5 10.0.1.15:8080 check backup

        backend static
            server cdn1 10.0.3.1:80
        """;

    [Fact]
    public void Import_HAProxyWithSeveralBackends_AsksForOneAndListsThem()
    {
        var config = _workspace.Write("haproxy.cfg", HAProxyConfig);

        var result = CliTestApp.Run("env", "import", config);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"error: {DocumentLoader.DisplayPath(config)} has several backends with servers; choose one with --backend NAME: app (4 servers), static (1 servers)", result.Output.Trim());
    }

    [Fact]
    public void Import_HAProxyBackend_ServersBecomeHostsInTwoGroupsWithTheAdminSocket()
    {
        var config = _workspace.Write("haproxy.cfg", HAProxyConfig);
        var output = Path.Combine(_workspace.Root, "workflows", "environments", "prod.yaml");

        var result = CliTestApp.Run("env", "import", config, "--backend", "app", "-o", output);

        Assert.Equal(0, result.ExitCode);
        var environment = Load(output);
        var haproxy = Assert.IsType<HAProxySettings>(environment.LoadBalancer);
        Assert.Equal(("haproxy", "unix:///run/haproxy/admin.sock", "app", 1), (haproxy.Provider, haproxy.Address, haproxy.Backend, haproxy.MinLiveGroups));
        Assert.Equal(["web1", "web2"], environment.Groups["group1"].Hosts);
        Assert.Equal(["web3", "web5"], environment.Groups["group2"].Hosts);
        Assert.Equal(("10.0.1.13", "8080"), (environment.Hosts["web3"].Address, environment.Hosts["web3"].Vars["app_port"]?.ToString()));
        Assert.DoesNotContain("web4", environment.Hosts.Keys);
    }

    [Fact]
    public void Import_HAProxyTcpStatsSocketAtUserLevel_WritesTcpAddressAndWarns()
    {
        var config = _workspace.Write("lb.cfg", """
            global
              stats socket ipv4@127.0.0.1:9999 level operator
            listen web
              bind :80
              server a 192.168.10.5:80 check
              server b 192.168.10.6 check
              server c 192.168.10.7:80 check
            """);

        var result = CliTestApp.Run("env", "import", config, "--groups", "3", "--id", "lab");

        Assert.Equal(0, result.ExitCode);
        var environment = DocumentLoader.LoadEnvironment(result.Output, "lab.yaml").GetOrThrow();
        Assert.Equal(("tcp://127.0.0.1:9999", "web"), (Assert.IsType<HAProxySettings>(environment.LoadBalancer).Address, environment.LoadBalancer.Backend));
        Assert.Equal(["group1", "group2", "group3"], environment.Groups.Keys);
        Assert.Empty(environment.Hosts["b"].Vars);
        Assert.Contains("# Note: lb.cfg: the stats socket is level operator; Gantry needs 'level admin' to drain and enable servers", result.Output.Replace(DocumentLoader.DisplayPath(config), "lb.cfg", StringComparison.Ordinal));
    }

    [Fact]
    public void Import_PlainHostList_ReadsUsersPortsRangesAndComments()
    {
        var list = _workspace.Write("hosts.txt", """
            # Fabric env.hosts, one per line
            deploy@app[1:3].example.com:2222
            app4.example.com, app5.example.com   # the new pair

            10.0.9.9
            """);

        var result = CliTestApp.Run("env", "import", list, "--id", "fabric");

        Assert.Equal(0, result.ExitCode);
        var environment = DocumentLoader.LoadEnvironment(result.Output, "fabric.yaml").GetOrThrow();
        Assert.Equal(["app1.example.com", "app2.example.com", "app3.example.com", "app4.example.com", "app5.example.com", "10.0.9.9"], environment.Hosts.Keys);
        Assert.Equal(("deploy", 2222), (environment.Hosts["app2.example.com"].User, environment.Hosts["app2.example.com"].Port));
        Assert.Null(environment.Hosts["app4.example.com"].User);
        Assert.Equal([3, 3], environment.Groups.Values.Select(g => g.Hosts.Count));
    }

    [Theory]
    [InlineData("inventory.ini", "[web]\nweb1\nweb[10:01]\n", "inventory.ini:3: host range 'web[10:01]' runs backwards (10 > 01)")]
    [InlineData("inventory.ini", "[web\nweb1\n", "inventory.ini:1: expected a section header like [web] or [web:vars], found '[web'")]
    [InlineData("inventory.ini", "[web]\nweb1 ansible_port=ssh\n", "host web1: ansible_port 'ssh' is not a port number (1 to 65535)")]
    [InlineData("inventory.ini", "[web]\nweb1 motd=\"hello\n", "inventory.ini:2: a quote (\") is not closed on this line")]
    [InlineData("inventory.ini", "[web:hosts]\nweb1\n", "inventory.ini:1: section [web:hosts] is not [GROUP], [GROUP:vars] or [GROUP:children]")]
    [InlineData("hosts.yaml", "all:\n  hosts:\n    web1:\n      dns: [1.1.1.1, 8.8.8.8]\n", "hosts.yaml:4:12: all.hosts.web1.dns is a list; Gantry host vars here are text, write it as a string")]
    [InlineData("hosts.yaml", "all:\n  host:\n    web1:\n", "hosts.yaml:2:3: group all has 'host'; expected hosts, vars or children")]
    [InlineData("hosts.yaml", "all:\n  ? *b\n  : 1\n  ? *b\n  : 2\n  c: &b 3\n", "hosts.yaml:2:5: invalid YAML: alias *b refers to no anchor defined before it")]
    [InlineData("haproxy.cfg", "global\n  daemon\nbackend app\n  server web1 10.0.1.1:http check\n", "haproxy.cfg:4: address '10.0.1.1:http' has port 'http'; expected a number")]
    [InlineData("haproxy.cfg", "frontend www\n  bind :80\n", "haproxy.cfg: no backend or listen section has server lines; expected e.g. 'backend app' with 'server web1 10.0.1.11:8080 check'")]
    [InlineData("hosts.txt", "web1\nweb1\n", "hosts.txt:2: host web1 is listed twice")]
    [InlineData("hosts.txt", "# nothing yet\n", "hosts.txt: no hosts found; expected one [user@]host[:port] per line")]
    public void Import_InvalidSource_ReportsWhereAndWhatWasExpected(string name, string text, string expected)
    {
        var source = _workspace.Write(name, text);

        var result = CliTestApp.Run("env", "import", source);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"error: {expected}", result.Output.Trim().Replace(DocumentLoader.DisplayPath(source), name, StringComparison.Ordinal));
    }

    [Fact]
    public void Import_OutputExists_RefusesWithoutForceAndOverwritesWithIt()
    {
        var list = _workspace.Write("hosts.txt", "web1\nweb2\n");
        var output = _workspace.Write("prod.yaml", "id: prod  # written by hand\n");

        var refused = CliTestApp.Run("env", "import", list, "-o", output);
        Assert.Equal(2, refused.ExitCode);
        Assert.Equal($"error: {output} exists; pass --force to overwrite it", refused.Output.Trim());
        Assert.Equal("id: prod  # written by hand\n", File.ReadAllText(output));

        var forced = CliTestApp.Run("env", "import", list, "-o", output, "--force");
        Assert.Equal(0, forced.ExitCode);
        Assert.Equal(["web1", "web2"], Load(output).Hosts.Keys);
    }

    [Fact]
    public void Import_ThenStatus_LoadsTheEnvironmentAndReadsEveryHost()
    {
        _workspace.Write("workflows/.keep", "");
        var inventory = _workspace.Write("inventory.ini", """
            [group1]
            web1 ansible_host=127.0.0.1 ansible_port=1
            [group2]
            web2 ansible_host=127.0.0.1 ansible_port=1
            """);
        var output = Path.Combine(_workspace.Root, "workflows", "environments", "imported.yaml");
        Assert.Equal(0, CliTestApp.Run("env", "import", inventory, "-o", output).ExitCode);
        _workspace.Write("workflows/environments/imported.known_hosts", "");

        var status = CliTestApp.Run("status", "--env", "imported", "--workspace", _workspace.Root, "--output", "json");

        // Nothing listens on port 1: status loads the environment and reports each host as unreadable.
        Assert.Equal(1, status.ExitCode);
        using var json = System.Text.Json.JsonDocument.Parse(status.Output);
        var hosts = json.RootElement.GetProperty("groups").EnumerateArray().SelectMany(g => g.GetProperty("hosts").EnumerateArray()).ToList();
        Assert.Equal([("web1", "group1"), ("web2", "group2")], hosts.Select(h => (h.GetProperty("name").GetString(), h.GetProperty("group").GetString())));
        Assert.All(hosts, h => Assert.Contains("127.0.0.1", h.GetProperty("error").GetString()));
    }

    [Fact]
    public void Help_ShowsExamples()
    {
        var result = CliTestApp.Run("env", "import", "--help");

        Assert.Contains("gantry env import inventory.ini --id prod -o workflows/environments/prod.yaml", result.Output);
        Assert.Contains("--backend", result.Output);
        Assert.Contains("EXAMPLES:", result.Output);
    }

    private static EnvironmentDefinition Load(string path) => DocumentLoader.LoadEnvironmentFile(path).GetOrThrow();
}
