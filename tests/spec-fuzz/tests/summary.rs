//! The batch is neither all refused nor all accepted: a generator whose
//! every spec fails (or passes) `check` would test nothing.

#[test]
fn the_batch_exercises_both_sides() {
    let (seed, generated, accepted, refused) = spec_fuzz::SUMMARY;
    println!(
        "spec-fuzz: seed {seed}: {generated} specs, {accepted} accepted and compiled, {refused} refused"
    );
    assert_eq!(accepted + refused, generated);
    assert!(
        accepted * 4 >= generated,
        "too few accepted: {accepted} of {generated}"
    );
    assert!(
        refused * 10 >= generated,
        "too few refused: {refused} of {generated}"
    );
}
