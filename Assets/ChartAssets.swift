/// The built-in catalogue as YAML text, compiled into the binary.
public enum ChartAssets {
    /// The text of `Assets/catalogue.yaml`.
    public static var catalogueYAML: String {
        String(decoding: PackageResources.catalogue_yaml, as: UTF8.self)
    }
}
