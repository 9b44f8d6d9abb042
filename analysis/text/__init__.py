"""Text: segmentation (rjieba/jieba with the project lexicon), token hygiene, and the
document-term matrix that every count-based measure reads."""
