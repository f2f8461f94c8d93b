//! ArviZ JSON and CmdStan CSV output agree with the typed posterior. (ArviZ 0.23.4's
//! `from_json` reads the JSON and its `summary` reproduces our table; checked by hand, as CI has
//! no Python.)

use model_runtime::prelude::*;

#[model]
fn grouped(groups: usize) {
    let mu = sample!("mu", Normal::new(0.0, 1.0));
    plate!("groups", groups, |g| {
        let z = sample!("z", Normal::new(mu, 1.0));
        deterministic!("twice", z * 2.0);
        let _ = g;
    });
}

#[test]
fn arviz_json_has_chain_draw_and_site_dimensions() {
    let fit = Nuts::default()
        .warmup(100)
        .samples(20)
        .chains(3)
        .seed(1)
        .run(&grouped(2))
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(&fit.to_arviz_json()).unwrap();
    let z = json["posterior"]["z"].as_array().unwrap();
    assert_eq!(z.len(), 3);
    assert_eq!(z[0].as_array().unwrap().len(), 20);
    assert_eq!(z[0][0].as_array().unwrap().len(), 2);
    // Chain 1, draw 5 is merged draw 25.
    assert_eq!(z[1][5][1].as_f64().unwrap(), fit.z[25][1]);
    assert_eq!(
        json["posterior"]["twice"][2][19][0].as_f64().unwrap(),
        fit.twice[59][0]
    );
    assert!(json["posterior"].get("y").is_none());
    let diverging = json["sample_stats"]["diverging"].as_array().unwrap();
    assert_eq!(diverging.len(), 3);
    assert!(diverging[0][0].is_boolean());
    assert_eq!(json["sample_stats"]["lp"][0].as_array().unwrap().len(), 20);
}

#[test]
fn cmdstan_csv_has_sampler_and_site_columns() {
    let fit = Nuts::default()
        .warmup(100)
        .samples(10)
        .chains(2)
        .seed(2)
        .run(&grouped(2))
        .unwrap();
    let mut csv = Vec::new();
    fit.write_cmdstan_csv(1, &mut csv).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    let rows: Vec<&str> = csv.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(
        rows[0],
        "lp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,divergent__,energy__,mu,z.1,z.2,twice.1,twice.2"
    );
    assert_eq!(rows.len(), 11);
    let first: Vec<f64> = rows[1].split(',').map(|v| v.parse().unwrap()).collect();
    assert_eq!(first[7], fit.chains()[1].draws.mu[0]);
    assert_eq!(first[9], fit.chains()[1].draws.z[0][1]);
    assert!(csv.contains("# Step size = "));
    // The keys CmdStan's readers look for: version first, chain id, and the elapsed times,
    // which are the chain's own.
    assert!(csv.starts_with("# stan_version_major = 2\n# stan_version_minor = 36\n"));
    assert!(csv.contains("\n# id = 2\n"));
    assert!(csv.contains("#           max_depth = 10\n"));
    let warmup = format!(
        "#  Elapsed Time: {:.6} seconds (Warm-up)",
        fit.chains()[1].sampler.warmup_time.as_secs_f64()
    );
    assert!(csv.contains(&warmup), "{csv}");
    assert!(csv.trim_end().ends_with("seconds (Total)\n#"));
    assert!(fit.write_cmdstan_csv(2, Vec::new()).is_err());
}
