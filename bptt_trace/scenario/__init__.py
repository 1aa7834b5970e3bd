"""Scenarios: from a YAML file to a validated, frozen Scenario, and back.

Holds the safe, located YAML reader (`yaml_tree`), the shape checks of a located tree
(`tree_reader`), the validation into a frozen `Scenario` (`loader`, `spec`), writing a scenario
back out (`writer`) and the notations courses write an RNN in (`notation`). It may import
`numbers` and the base modules (`errors`, `version`), nothing above.
"""
