use earshot::dsp::loss::filterbank::*;
#[test]
fn widths() {
    let mild = Bank::new(BankKind::Mild);
    for k in [BankKind::Mild, BankKind::Moderate, BankKind::Severe] {
        let b = Bank::new(k);
        let g = BankGrid::new(&b, &mild, 44100.0 / 512.0 / 8.0, 22050.0);
        eprintln!("{k:?}: width {}", g.width);
    }
}
